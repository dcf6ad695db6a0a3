import OutpostModel
import OutpostStore

/// The replica's database connection: a ``DatabaseQueue`` whose write transactions report what
/// they changed to the replica's ``ReplicaChangeNotifier`` once committed.
///
/// SQLite's update hook notes the rowids of records written and the rows of `outbox` written or
/// deleted (``RowChangeLog``: no SQL per row, so a bulk pull pays next to nothing); at the end
/// of each write, still inside its transaction, the entity types of the written records are read
/// back, and after the commit the change is announced. A rolled-back write announces nothing.
/// Every write path of the replica goes through here, whichever file it lives in.
final class ReplicaDatabase: DatabaseWriter, @unchecked Sendable {
    // Safety: `log` is only touched inside the connection's closures (serialized by `base`).
    let base: DatabaseQueue
    let notifier: ReplicaChangeNotifier
    private let log = RowChangeLog(tables: ["records", "outbox"])
    private static let records = 0, outbox = 1

    init(_ base: DatabaseQueue, notifier: ReplicaChangeNotifier) throws {
        self.base = base
        self.notifier = notifier
        let log = self.log
        try base.writeWithoutTransaction { db in db.logRowChanges(into: log) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try base.read(body)
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try announcingChanges(of: body) { try base.write($0) }
    }

    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try announcingChanges(of: body) { try base.writeWithoutTransaction($0) }
    }

    /// Runs `body` through `run` (a write with or without a transaction) and announces what it
    /// changed once `run` has returned. Each write starts from an empty log: what a rolled-back
    /// one noted is dropped here.
    private func announcingChanges<T>(of body: (Database) throws -> T,
                                      through run: (@escaping (Database) throws -> T) throws -> T) throws -> T {
        var change = ReplicaChange()
        let log = self.log
        let result = try withoutActuallyEscaping(body) { body in
            try run { db in
                log.reset()
                let result = try body(db)
                change = try Self.collectChange(db, log)
                return result
            }
        }
        notifier.notify(change)
        return result
    }

    /// What the log noted, with the entity types of the written records (read back by rowid).
    private static func collectChange(_ db: Database, _ log: RowChangeLog) throws -> ReplicaChange {
        guard !log.isEmpty else { return ReplicaChange() }
        var change = ReplicaChange()
        change.editsQueued = !log.written[outbox].isEmpty
        change.outboxChanged = change.editsQueued || log.deleted[outbox] > 0
        if log.deleted[records] > 0 {
            // Removed rows cannot be read back: every type may have changed (re-scopes, repairs).
            change.entityTypes = Set(EntityType.allCases)
        } else if !log.written[records].isEmpty {
            change.entityTypes = try entityTypes(db, rowids: log.written[records])
        }
        log.reset()
        return change
    }

    /// The entity types of the records with these rowids: one range scan when they lie close
    /// together (a pulled page appends), else one lookup each; stops once every type is found.
    private static func entityTypes(_ db: Database, rowids: [Int64]) throws -> Set<EntityType> {
        var types: Set<EntityType> = []
        let all = EntityType.allCases.count
        let unique = Set(rowids)
        let low = unique.min()!, high = unique.max()!
        if high - low < Int64(4 * unique.count + 64) {
            try db.cachedStatement(sql: "SELECT rowid, type FROM records WHERE rowid BETWEEN ? AND ?")
                .forEachRow(arguments: [low, high]) { row in
                    if types.count < all, unique.contains(row.int64(at: 0)), let type = EntityType(rawValue: row.text(at: 1)) {
                        types.insert(type)
                    }
                }
        } else {
            let statement = try db.cachedStatement(sql: "SELECT type FROM records WHERE rowid = ?")
            for rowid in unique where types.count < all {
                try statement.forEachRow(arguments: [rowid]) { row in
                    if let type = EntityType(rawValue: row.text(at: 0)) { types.insert(type) }
                }
            }
        }
        return types
    }
}
