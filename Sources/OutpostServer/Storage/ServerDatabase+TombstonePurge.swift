import OutpostModel
import OutpostStore

/// What one purge of old tombstones did (SPEC §11.3).
public struct TombstonePurge: Sendable, Hashable {
    /// Tombstones removed.
    public var purged: Int
    /// The highest seq any purged tombstone ever had: a pull cursor below it is answered 409
    /// `recovery_required` (the device may have missed a deletion).
    public var purgedThrough: Int64
}

/// Purging deleted records after the tombstone horizon (SPEC §11.3), and the highest seq issued,
/// which purged tombstones still count in.
extension ServerDatabase {
    /// The default tombstone horizon (`serve --tombstone-horizon-days`).
    public static let defaultTombstoneHorizonDays = 90

    /// Removes every record deleted (its last change stored as deleted) more than `days` days
    /// before `now`, except a customer some live record still names. Each purged id is kept in
    /// `purged_records` (a push of it is refused, a diff does not ask for it) and the purge point
    /// is raised, so devices that last pulled before it re-list everything (recovery sync).
    @discardableResult
    public func purgeTombstones(olderThanDays days: Int, now: Int64? = nil) throws -> TombstonePurge {
        let cutoff = (now ?? Self.nowMillis()) - Int64(max(0, days)) * 86_400_000
        return try pushGroups.run { db in
            // Every statement here is plain SQL both SQLite and PostgreSQL run.
            let doomed = """
                SELECT id FROM records WHERE deleted = 1 AND deleted_at IS NOT NULL AND deleted_at <= ?
                  AND NOT (type = 'customer' AND EXISTS (
                    SELECT 1 FROM records AS named WHERE named.customer = records.id AND named.id <> records.id AND named.deleted = 0))
                """
            let highest: Int64 = try db.fetchScalar(sql: "SELECT MAX(seq) FROM records WHERE id IN (\(doomed))", arguments: [cutoff]) ?? 0
            try db.execute(sql: "INSERT INTO purged_records(id, seq) SELECT id, seq FROM records WHERE id IN (\(doomed))", arguments: [cutoff])
            let before: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0
            try db.execute(sql: "DELETE FROM records WHERE id IN (SELECT id FROM purged_records)")
            let after: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0
            let through = max(highest, try Self.purgedThrough(db))
            try Self.setMeta(db, "purged_through", String(through))
            return TombstonePurge(purged: before - after, purgedThrough: through)
        }
    }

    /// The purge point: the highest seq a purged tombstone had (0 before any purge).
    public func purgedThrough() throws -> Int64 {
        try pool.read { db in try Self.purgedThrough(db) }
    }

    static func purgedThrough(_ db: Database) throws -> Int64 {
        try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'purged_through'").flatMap { (text: String) in Int64(text) } ?? 0
    }

    /// The highest seq issued: that of the newest stored record or of the newest purged tombstone.
    /// New changes get seqs above it, so a seq is never issued twice.
    static func highestSeq(_ db: Database) throws -> Int64 {
        max(try db.fetchScalar(sql: "SELECT MAX(seq) FROM records") ?? 0, try purgedThrough(db))
    }

    /// `true` when the record was deleted and purged here.
    static func isPurged(_ db: Database, _ id: RecordID) throws -> Bool {
        try db.cachedStatement(sql: "SELECT 1 FROM purged_records WHERE id = ?").fetchOne(arguments: [id.rawValue]) != nil
    }
}
