import OutpostStore

/// The server's tables, created and upgraded by migrations.
enum ServerSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 users, records, batches") { db in
            try db.execute(sql: "CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            try db.execute(sql: """
                CREATE TABLE users (
                  name TEXT PRIMARY KEY, role TEXT NOT NULL, branch TEXT NOT NULL,
                  token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER)
                """)
            // One row per record: its current merged version (canonical JSON) and the seq of its last change.
            try db.execute(sql: """
                CREATE TABLE records (
                  id TEXT PRIMARY KEY, type TEXT NOT NULL, branch TEXT NOT NULL,
                  seq INTEGER NOT NULL UNIQUE, state TEXT NOT NULL,
                  deleted INTEGER NOT NULL, conflicted INTEGER NOT NULL)
                """)
            try db.execute(sql: "CREATE INDEX records_by_branch_seq ON records(branch, seq)")
            // Answers of applied batches, so a retried batch gets the same answer and changes nothing.
            try db.execute(sql: """
                CREATE TABLE batches (
                  user TEXT NOT NULL, batch TEXT NOT NULL, body_hash TEXT NOT NULL, response TEXT NOT NULL,
                  applied_at INTEGER NOT NULL, PRIMARY KEY (user, batch))
                """)
        }
        migrator.registerMigration("v2 nodes and epochs") { db in
            // Every replica (node) that has pushed: whose it is and its last acknowledged batch (SPEC §10.5).
            try db.execute(sql: """
                CREATE TABLE nodes (
                  node TEXT PRIMARY KEY, user TEXT NOT NULL, last_batch TEXT, epoch TEXT NOT NULL,
                  enrolled_at INTEGER NOT NULL, last_push_at INTEGER NOT NULL)
                """)
            // Earlier epochs of this database, one per restore from backup (SPEC §11.1).
            try db.execute(sql: "CREATE TABLE epochs (epoch TEXT PRIMARY KEY, ended_at INTEGER NOT NULL)")
        }
        migrator.registerMigration("v3 scope: ownership, account states, audit") { db in
            // Account state (SPEC §8.2): active, frozen (refused until unfrozen) or deactivated (refused;
            // back only through `user reactivate`); the scope generation, raised whenever what the user
            // may read changes and carried in pull cursors (SPEC §11.2); the last sync.
            try db.execute(sql: "ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")
            try db.execute(sql: "ALTER TABLE users ADD COLUMN scope_gen INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE users ADD COLUMN last_sync_at INTEGER")
            try db.execute(sql: "UPDATE users SET status = 'deactivated' WHERE revoked_at IS NOT NULL")
            // The customer each record belongs to (itself for a customer): a salesperson's scope follows it.
            try db.execute(sql: "ALTER TABLE records ADD COLUMN customer TEXT")
            try db.execute(sql: """
                UPDATE records SET customer = CASE type WHEN 'customer' THEN id
                  ELSE json_extract(state, '$.fields.customer[0].value') END
                """)
            try db.execute(sql: "CREATE INDEX records_by_customer ON records(customer, seq)")
            // Who a customer's records are visible to beyond the branch-wide roles: every sibling of
            // `owner` and every name in any sibling of `sharedWith`.
            try db.execute(sql: "CREATE TABLE customer_access (customer TEXT NOT NULL, user TEXT NOT NULL, PRIMARY KEY (customer, user))")
            try db.execute(sql: "CREATE INDEX customer_access_by_user ON customer_access(user, customer)")
            try db.execute(sql: """
                INSERT OR IGNORE INTO customer_access(customer, user)
                  SELECT records.id, json_extract(owner.value, '$.value') FROM records, json_each(records.state, '$.fields.owner') AS owner
                  WHERE records.type = 'customer' AND json_type(owner.value, '$.value') = 'text'
                """)
            try db.execute(sql: """
                INSERT OR IGNORE INTO customer_access(customer, user)
                  SELECT records.id, name.value FROM records, json_each(records.state, '$.fields.sharedWith') AS shared,
                    json_each(shared.value, '$.value') AS name
                  WHERE records.type = 'customer' AND json_type(shared.value, '$.value') = 'array' AND name.type = 'text'
                """)
            // Every access change: who did what to whom, when (SPEC §8.3).
            try db.execute(sql: """
                CREATE TABLE audit (
                  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
                  action TEXT NOT NULL, subject TEXT NOT NULL, branch TEXT NOT NULL, detail TEXT NOT NULL)
                """)
        }
        migrator.registerMigration("v4 policy document and customer code leases") { db in
            // The policy document HQ set (SPEC §9.8); absent until the first `policy set`.
            try db.execute(sql: """
                CREATE TABLE policy (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, body TEXT NOT NULL,
                                     updated_at INTEGER NOT NULL)
                """)
            // The next unleased sequence number of each customer code series (SPEC §9.9); year 0 for schemes without a year.
            try db.execute(sql: "CREATE TABLE code_series (branch TEXT NOT NULL, year INTEGER NOT NULL, next INTEGER NOT NULL, PRIMARY KEY (branch, year))")
            // Every block leased, by the client's lease id, so a retried lease returns the same block.
            try db.execute(sql: """
                CREATE TABLE code_leases (lease TEXT PRIMARY KEY, user TEXT NOT NULL, branch TEXT NOT NULL, year INTEGER NOT NULL,
                                          first INTEGER NOT NULL, last INTEGER NOT NULL, scheme TEXT NOT NULL, leased_at INTEGER NOT NULL)
                """)
        }
        migrator.registerMigration("v5 bounded growth: one stored push answer per node") { db in
            // Applied pushes per node (the stored answers no longer count them: SPEC §10.4).
            try db.execute(sql: "ALTER TABLE nodes ADD COLUMN pushes INTEGER NOT NULL DEFAULT 0")
            // Keep only the answer of each node's last acknowledged batch; the rest were superseded.
            try db.execute(sql: """
                DELETE FROM batches WHERE NOT EXISTS (
                  SELECT 1 FROM nodes WHERE nodes.user = batches.user AND nodes.last_batch = batches.batch)
                """)
        }
        migrator.registerMigration("v6 tombstone purge") { db in
            // When a record's last change was stored as deleted (server clock, UTC ms); NULL while live.
            // Tombstones older than the horizon are purged (SPEC §11.3); existing ones count from now.
            try db.execute(sql: "ALTER TABLE records ADD COLUMN deleted_at INTEGER")
            try db.execute(sql: "UPDATE records SET deleted_at = ? WHERE deleted = 1", arguments: [ServerDatabase.nowMillis()])
            // The ids of purged tombstones and the seq each had: a push of one is refused, a diff skips it.
            try db.execute(sql: "CREATE TABLE purged_records (id TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
        }
        return migrator
    }()
}
