import OutpostModel
import OutpostStore

/// The replica's tables, created and upgraded by migrations.
enum ReplicaSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 records, outbox, meta") { db in
            try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            try db.execute(sql: """
                CREATE TABLE records (
                  id TEXT PRIMARY KEY, type TEXT NOT NULL, branch TEXT NOT NULL, state TEXT NOT NULL,
                  deleted INTEGER NOT NULL, conflicted INTEGER NOT NULL,
                  code TEXT, customer TEXT, label TEXT NOT NULL, modified INTEGER NOT NULL)
                """)
            try db.execute(sql: "CREATE INDEX records_by_customer ON records(customer) WHERE customer IS NOT NULL")
            try db.execute(sql: "CREATE INDEX records_by_code ON records(code) WHERE code IS NOT NULL")
            try db.execute(sql: "CREATE INDEX records_in_conflict ON records(conflicted) WHERE conflicted = 1")
            // Records with local edits waiting for the server's acknowledgement, in order of their first
            // pending edit (so a customer is pushed before its contacts); `edit` grows with every edit.
            try db.execute(sql: """
                CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL UNIQUE,
                                     edit INTEGER NOT NULL)
                """)
            try db.execute(sql: "CREATE INDEX outbox_by_edit ON outbox(edit)")
            // The batch being pushed: kept until the server answers so a retry re-sends the same id and body.
            try db.execute(sql: "CREATE TABLE pending_batch (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)")
            try db.execute(sql: "CREATE TABLE pending_entries (record_id TEXT PRIMARY KEY, outbox_seq INTEGER NOT NULL)")
            // Local edits the server refused (e.g. a role lowered while offline): kept, out of the
            // outbox so the rest can sync, until the record is edited again.
            try db.execute(sql: """
                CREATE TABLE refused (record_id TEXT PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL,
                                      refused_at INTEGER NOT NULL)
                """)
        }
        migrator.registerMigration("v2 acknowledged counters, recovery queue") { db in
            // Per record with local edits: the highest counter of this replica's current node that the
            // server is known to hold (acknowledged by a push or received in a pull). Writes above it are
            // unacknowledged; they are re-stamped when the node id has to change (SPEC §15).
            try db.execute(sql: "CREATE TABLE acked (record_id TEXT PRIMARY KEY, counter INTEGER NOT NULL)")
            // Records a recovery sync must re-offer to a restored server (SPEC §11.1, §15).
            try db.execute(sql: "CREATE TABLE recovery_queue (record_id TEXT PRIMARY KEY)")
            // A pending batch is either outbox edits or a recovery batch.
            try db.execute(sql: "ALTER TABLE pending_batch ADD COLUMN kind TEXT NOT NULL DEFAULT 'outbox'")
            // Records of entity types this app does not know (from newer apps), kept as received.
            try db.execute(sql: "CREATE TABLE opaque_records (id TEXT PRIMARY KEY, type TEXT NOT NULL, state TEXT NOT NULL)")
        }
        migrator.registerMigration("v3 authors") { db in
            // The user enrolled for each node, as named by the server in pull pages (Replica+Authors).
            try db.execute(sql: "CREATE TABLE authors (node TEXT PRIMARY KEY, user TEXT NOT NULL)")
        }
        migrator.registerMigration("v4 scope changes") { db in
            // Records that left this device's scope while holding edits the server did not take:
            // kept (the full version), visible and exportable, never dropped silently (SPEC §11.2).
            try db.execute(sql: """
                CREATE TABLE set_aside (record_id TEXT PRIMARY KEY, type TEXT NOT NULL, state TEXT NOT NULL,
                                        reason TEXT NOT NULL, set_aside_at INTEGER NOT NULL)
                """)
            // The ids received since a re-scope began (meta `rescope`): the rest leave when it ends.
            try db.execute(sql: "CREATE TABLE rescope_seen (id TEXT PRIMARY KEY)")
        }
        migrator.registerMigration("v5 customer code blocks") { db in
            // Blocks of customer code numbers leased by the server (SPEC §9.9); `next` is the next
            // number to issue. Tagged with the server database, so blocks of another server are never used.
            try db.execute(sql: """
                CREATE TABLE code_blocks (lease TEXT PRIMARY KEY, server_id TEXT NOT NULL, branch TEXT NOT NULL, year INTEGER NOT NULL,
                                          first INTEGER NOT NULL, last INTEGER NOT NULL, next INTEGER NOT NULL, scheme TEXT NOT NULL)
                """)
        }
        migrator.registerMigration("v6 indexes for lists and policies") { db in
            // The time the policy filters key on (RecordSummary.policyTime): a visit's completion.
            // Revisit due times and complaint deadlines depend on the stored policy document, so
            // they are computed from it when asked (Replica+Policies), never stored here.
            try db.execute(sql: "ALTER TABLE records ADD COLUMN policy_time INTEGER")
            let update = try db.makeStatement(sql: "UPDATE records SET policy_time = ? WHERE id = ?")
            try db.makeStatement(sql: "SELECT id, state FROM records WHERE type = 'visit'").forEachRow { row in
                let record = try Replica.decode(statement: row)
                guard let time = RecordSummary(record).policyTime else { return }
                try update.execute(arguments: [time, record.id.rawValue])
            }
            // Lists in label order, read one row at a time.
            try db.execute(sql: "CREATE INDEX records_by_label ON records(type, label, id)")
            // The latest completed visit of a customer.
            try db.execute(sql: """
                CREATE INDEX records_visited ON records(customer, policy_time)
                WHERE type = 'visit' AND deleted = 0 AND policy_time IS NOT NULL
                """)
        }
        migrator.registerMigration("v7 outbox rows carry their acknowledged counter") { db in
            // A record's first local edit wrote eight pages: its outbox row, the two outbox indexes,
            // the AUTOINCREMENT counter, its `acked` row and that table's index, besides the record
            // and the clock. The outbox row now holds the acknowledged counter itself (`acked`, NULL
            // when unknown); `acked` keeps it only for records out of the outbox whose edits the
            // server refused. `seq` (order of first pending edit) is a plain rowid: no sqlite_sequence
            // row to rewrite. `edit` grows per record (`Replica.enqueue`), so no index finds its maximum.
            try db.execute(sql: """
                CREATE TABLE outbox_v7 (seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE,
                                        edit INTEGER NOT NULL, acked INTEGER)
                """)
            try db.execute(sql: """
                INSERT INTO outbox_v7(seq, record_id, edit, acked)
                SELECT seq, record_id, edit, (SELECT counter FROM acked WHERE acked.record_id = outbox.record_id) FROM outbox
                """)
            try db.execute(sql: "DELETE FROM acked WHERE record_id IN (SELECT record_id FROM outbox)")
            try db.execute(sql: "DROP TABLE outbox")
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'outbox'")
            try db.execute(sql: "ALTER TABLE outbox_v7 RENAME TO outbox")
        }
        migrator.registerMigration("v8 query columns and due times") { db in
            // Indexed copies of the values app queries filter on (RecordSummary): a customer's
            // owner, tier and status, a complaint's status, the search key of a customer's or
            // contact's name; and the time a record falls due under the stored policy document
            // (Replica+DueTimes): a customer's next visit, an open complaint's deadline.
            for column in ["owner TEXT", "tier TEXT", "status TEXT", "name_key TEXT", "due_time INTEGER"] {
                try db.execute(sql: "ALTER TABLE records ADD COLUMN \(column)")
            }
            let update = try db.makeStatement(sql: "UPDATE records SET owner = ?, tier = ?, status = ?, name_key = ? WHERE id = ?")
            try db.makeStatement(sql: "SELECT id, state FROM records WHERE type IN ('customer', 'contact', 'complaint')").forEachRow { row in
                let summary = RecordSummary(try Replica.decode(statement: row))
                try update.execute(arguments: [summary.owner, summary.tier, summary.status, summary.nameKey, summary.id.rawValue])
            }
            try Replica.recomputeDueTimes(db, policy: try Replica.policy(db))
            // Live records only (queries of live records name `deleted = 0`), so a count reads the index alone.
            try db.execute(sql: "CREATE INDEX records_by_owner ON records(type, owner, label, id) WHERE owner IS NOT NULL AND deleted = 0")
            try db.execute(sql: "CREATE INDEX records_by_tier ON records(type, tier, label, id) WHERE tier IS NOT NULL AND deleted = 0")
            try db.execute(sql: "CREATE INDEX records_by_status ON records(type, status, label, id) WHERE status IS NOT NULL AND deleted = 0")
            try db.execute(sql: "CREATE INDEX records_by_name_key ON records(type, name_key, id) WHERE name_key IS NOT NULL AND deleted = 0")
            try db.execute(sql: "CREATE INDEX records_by_due ON records(type, due_time, id) WHERE due_time IS NOT NULL AND deleted = 0")
        }
        return migrator
    }()
}
