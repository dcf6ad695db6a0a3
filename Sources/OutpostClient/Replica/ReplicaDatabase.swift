import OutpostModel
import OutpostStore

/// The replica's database connection: a ``DatabaseQueue`` whose write transactions report what
/// they changed to the replica's ``ReplicaChangeNotifier`` once committed.
///
/// Temporary triggers (they live in this connection only, never in the file) note the entity
/// type of every inserted, updated or deleted record, and outbox growth or shrinkage, in a
/// temporary table; each write collects and clears that table inside its own transaction (so a
/// rolled-back write reports nothing) and notifies after the commit. Every write path of the
/// replica goes through here, whichever file it lives in.
final class ReplicaDatabase: DatabaseWriter, Sendable {
    let base: DatabaseQueue
    let notifier: ReplicaChangeNotifier

    /// The markers the outbox triggers write (no entity type is spelled like these): an edit
    /// queued (a record entered the outbox or was edited again there), a record left the outbox.
    private static let editQueuedMarker = "#queued", outboxLeftMarker = "#left"

    init(_ base: DatabaseQueue, notifier: ReplicaChangeNotifier) throws {
        self.base = base
        self.notifier = notifier
        try base.writeWithoutTransaction { db in
            // No unique constraint: an outer upsert (INSERT … ON CONFLICT) would override the
            // triggers' OR IGNORE and fail; `WHERE NOT EXISTS` keeps the table to one row per kind.
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS changed_kinds (kind TEXT NOT NULL)")
            for (name, event, value) in [("records_inserted", "INSERT", "NEW.type"), ("records_updated", "UPDATE", "NEW.type"),
                                         ("records_deleted", "DELETE", "OLD.type")] {
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS \(name) AFTER \(event) ON main.records
                    BEGIN INSERT INTO changed_kinds(kind) SELECT \(value)
                      WHERE NOT EXISTS (SELECT 1 FROM changed_kinds WHERE kind = \(value)); END
                    """)
            }
            for (name, event, marker) in [("outbox_inserted", "INSERT", Self.editQueuedMarker),
                                          ("outbox_updated", "UPDATE", Self.editQueuedMarker),
                                          ("outbox_deleted", "DELETE", Self.outboxLeftMarker)] {
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS \(name) AFTER \(event) ON main.outbox
                    BEGIN INSERT INTO changed_kinds(kind) SELECT '\(marker)'
                      WHERE NOT EXISTS (SELECT 1 FROM changed_kinds WHERE kind = '\(marker)'); END
                    """)
            }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try base.read(body)
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        var change = ReplicaChange()
        let result = try base.write { db in
            let result = try body(db)
            change = try Self.collectChange(db)
            return result
        }
        notifier.notify(change)
        return result
    }

    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        var change = ReplicaChange()
        let result = try base.writeWithoutTransaction { db in
            let result = try body(db)
            change = try Self.collectChange(db)
            return result
        }
        notifier.notify(change)
        return result
    }

    /// Reads and clears what the triggers noted.
    private static func collectChange(_ db: Database) throws -> ReplicaChange {
        let statement = try db.cachedStatement(sql: "SELECT DISTINCT kind FROM temp.changed_kinds")
        var change = ReplicaChange()
        var noted = false
        try statement.forEachRow(arguments: []) { row in
            noted = true
            let kind = row.text(at: 0)
            if kind == editQueuedMarker {
                change.outboxChanged = true
                change.editsQueued = true
            } else if kind == outboxLeftMarker {
                change.outboxChanged = true
            } else if let type = EntityType(rawValue: kind) {
                change.entityTypes.insert(type)
            }
        }
        if noted {
            try db.cachedStatement(sql: "DELETE FROM temp.changed_kinds").execute(arguments: [])
        }
        return change
    }
}
