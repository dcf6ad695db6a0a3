import OutpostModel
import OutpostStore

/// What a branch server needs to reconcile with headquarters: its changes since the last
/// reconciliation, and merging what headquarters sends. The state (upstream cursor, last seq
/// sent) lives in the database, written in the same transactions as the data it describes.
extension ServerDatabase {
    /// Where reconciliation with the upstream server stands.
    public struct UpstreamState: Sendable, Hashable {
        /// The upstream pull cursor (`nil`: pull everything).
        public var cursor: String?
        /// Local changes up to this seq have been accepted upstream.
        public var sentSeq: Int64
    }

    /// The stored upstream state.
    public func upstreamState() throws -> UpstreamState {
        try pool.read { db in
            let cursor: String? = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'upstream_cursor'")
            let sent: String? = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'upstream_sent_seq'")
            return UpstreamState(cursor: cursor, sentSeq: sent.flatMap { Int64($0) } ?? 0)
        }
    }

    /// Up to `limit` local records changed after `seq`, in seq order, with their seqs.
    public func changes(after seq: Int64, limit: Int) throws -> [(seq: Int64, record: Record)] {
        try pool.read { db in
            var result: [(seq: Int64, record: Record)] = []
            try db.cachedStatement(sql: "SELECT seq, id, state FROM records WHERE seq > ? ORDER BY seq LIMIT ?")
                .forEachRow(arguments: [seq, limit]) { row in
                    let id = RecordID(unchecked: row.text(at: 1))
                    result.append((row.int64(at: 0), try row.withUnsafeBlob(at: 2) { try RecordTable.decode($0, id: id) }))
                }
            return result
        }
    }

    /// Notes that local changes up to `seq` were accepted upstream.
    public func markSentUpstream(through seq: Int64) throws {
        try pool.write { db in try Self.setMeta(db, "upstream_sent_seq", String(seq)) }
    }

    /// Merges records pulled from upstream and stores the upstream cursor, in one transaction.
    /// Changed records get new local seqs, so this server's clients receive them.
    /// Returns how many records changed here.
    @discardableResult
    public func mergeFromUpstream(_ records: [Record], cursor: String) throws -> Int {
        try pool.write { db in
            var nextSeq: Int64 = (try db.fetchScalar(sql: "SELECT MAX(seq) FROM records") ?? 0) + 1
            var changed = 0
            for record in records {
                let outcome = try Self.recordTable.merge(db, record) { merged in
                    try Self.storeRecord(db, merged, seq: nextSeq)
                    nextSeq += 1
                }
                if case .unchanged = outcome { continue }
                changed += 1
            }
            try Self.setMeta(db, "upstream_cursor", cursor)
            return changed
        }
    }

    static let recordTable = RecordTable("records")

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT INTO server_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [key, value])
    }
}
