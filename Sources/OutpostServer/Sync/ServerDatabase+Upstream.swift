import OutpostJSON
import OutpostModel
import OutpostStore

/// What a branch server needs to relay its records to headquarters (SPEC §15.1): the records
/// changed since the last reconciliation, in batches chained under a persistent relay node id,
/// the records headquarters refused (set aside), merging what headquarters sends, and the
/// recovery sync after headquarters is restored from a backup. All of it lives in the database
/// (`server_meta` keys `upstream_*` and `upstream_*` tables) and changes in the same transactions
/// as the data it describes, so a run can be killed at any point and run again.
extension ServerDatabase {
    /// Where reconciliation with the upstream server stands.
    public struct UpstreamState: Sendable, Hashable {
        /// The upstream pull cursor (`nil`: pull everything).
        public var cursor: String?
        /// Local changes up to this seq have been sent upstream (accepted or set aside).
        public var sentSeq: Int64
        /// The node id this server relays under (persistent; replaced only when another copy of
        /// this database has relayed under it).
        public var node: NodeID
        /// The last batch headquarters acknowledged from this relay (`after` of the next push).
        public var lastBatch: BatchID?
        /// Headquarters' database id (`serverId`) at the last completed run.
        public var epochServerID: String?
        /// Headquarters' epoch at the last completed run.
        public var epoch: String?
        /// While a recovery sync with a restored headquarters is pending: the epoch it recovers from.
        public var recoveringFrom: String?
        /// The step a pending recovery has reached (`diff`, `push` or `pull`).
        public var recoveryStep: String?
    }

    /// A batch recorded before it is sent to headquarters, so a retry re-sends the same id and body.
    public struct UpstreamBatch: Sendable, Hashable {
        /// The push request.
        public var request: PushRequest
        /// The records it covers, with their local seqs when the batch was made.
        public var entries: [Entry]
        /// `true` for a recovery batch.
        public var isRecovery: Bool

        /// Creates a batch description.
        public init(request: PushRequest, entries: [Entry], isRecovery: Bool) {
            self.request = request
            self.entries = entries
            self.isRecovery = isRecovery
        }

        /// One record of the batch.
        public struct Entry: Sendable, Hashable {
            /// The record.
            public var record: RecordID
            /// Its local seq when the batch was made.
            public var seq: Int64

            /// Creates an entry.
            public init(record: RecordID, seq: Int64) {
                self.record = record
                self.seq = seq
            }
        }
    }

    /// A record headquarters refused: kept here, reported, and sent again when it changes.
    public struct UpstreamRefusal: Sendable, Hashable {
        /// The record.
        public var record: RecordID
        /// Headquarters' error code.
        public var code: String
        /// Headquarters' explanation.
        public var message: String
    }

    /// Creates the relay's tables and node id when missing (idempotent).
    public func prepareUpstream() throws {
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS upstream_pending (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS upstream_done (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS upstream_refused (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, code TEXT NOT NULL,
                                                             message TEXT NOT NULL, refused_at INTEGER NOT NULL)
                """)
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS upstream_recovery_queue (record_id TEXT PRIMARY KEY)")
            if try Self.upstreamMeta(db, "upstream_node") == nil {
                try Self.setMeta(db, "upstream_node", NodeID.random().rawValue)
            }
        }
    }

    /// The stored upstream state.
    public func upstreamState() throws -> UpstreamState {
        try prepareUpstream()
        return try pool.read { db in
            UpstreamState(cursor: try Self.upstreamMeta(db, "upstream_cursor"),
                          sentSeq: try Self.upstreamMeta(db, "upstream_sent_seq").flatMap { Int64($0) } ?? 0,
                          node: NodeID(unchecked: try Self.upstreamMeta(db, "upstream_node") ?? ""),
                          lastBatch: try Self.upstreamMeta(db, "upstream_last_batch").flatMap(BatchID.init),
                          epochServerID: try Self.upstreamMeta(db, "upstream_epoch_server"),
                          epoch: try Self.upstreamMeta(db, "upstream_epoch"),
                          recoveringFrom: try Self.upstreamMeta(db, "upstream_recovery_from"),
                          recoveryStep: try Self.upstreamMeta(db, "upstream_recovery_step"))
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

    /// `ORDER BY` term putting customers before the records that refer to them.
    static let upstreamTypeRank = "CASE records.type WHEN 'customer' THEN 0 ELSE 1 END"

    /// The pending batch, or a new one of at most `limit` records changed since the last completed
    /// pass, customers first, then by seq; `nil` when the pass is complete (which then ends).
    ///
    /// A pass covers the records whose seq lay between the last completed pass and the newest seq
    /// when it began; records sent in it (acknowledged or refused) are remembered with their seq,
    /// so the order by type holds across batches and a killed run resumes where it stopped.
    public func nextUpstreamBatch(limit: Int) throws -> UpstreamBatch? {
        try prepareUpstream()
        return try pool.write { db in
            if let pending = try Self.loadUpstreamBatch(db) { return pending }
            let sent = try Self.upstreamMeta(db, "upstream_sent_seq").flatMap { Int64($0) } ?? 0
            let through: Int64
            if let text = try Self.upstreamMeta(db, "upstream_run_through"), let value = Int64(text) {
                through = value
            } else {
                through = try Self.highestSeq(db)
                try Self.setMeta(db, "upstream_run_through", String(through))
            }
            var rows: [(RecordID, Int64, Record)] = []
            try db.cachedStatement(sql: """
                SELECT records.id, records.seq, records.state FROM records
                LEFT JOIN upstream_done ON upstream_done.record_id = records.id AND upstream_done.seq = records.seq
                WHERE records.seq > ? AND records.seq <= ? AND upstream_done.record_id IS NULL
                ORDER BY \(Self.upstreamTypeRank), records.seq LIMIT ?
                """).forEachRow(arguments: [sent, through, limit]) { row in
                let id = RecordID(unchecked: row.text(at: 0))
                rows.append((id, row.int64(at: 1), try row.withUnsafeBlob(at: 2) { try RecordTable.decode($0, id: id) }))
            }
            guard !rows.isEmpty else {
                try Self.setMeta(db, "upstream_sent_seq", String(max(sent, through)))
                try db.execute(sql: "DELETE FROM server_meta WHERE key = 'upstream_run_through'")
                try db.execute(sql: "DELETE FROM upstream_done")
                return nil
            }
            return try Self.makeUpstreamBatch(db, rows.map { ($0.0, $0.1, $0.2) }, recovery: false, recoveringFrom: nil)
        }
    }

    /// The pending batch, or a new recovery batch of at most `limit` records headquarters lacks.
    public func nextUpstreamRecoveryBatch(limit: Int, recoveringFrom: String?) throws -> UpstreamBatch? {
        try prepareUpstream()
        return try pool.write { db in
            if let pending = try Self.loadUpstreamBatch(db) { return pending }
            var rows: [(RecordID, Int64, Record)] = []
            try db.cachedStatement(sql: """
                SELECT records.id, records.seq, records.state FROM upstream_recovery_queue
                JOIN records ON records.id = upstream_recovery_queue.record_id
                ORDER BY \(Self.upstreamTypeRank), records.seq LIMIT ?
                """).forEachRow(arguments: [limit]) { row in
                let id = RecordID(unchecked: row.text(at: 0))
                rows.append((id, row.int64(at: 1), try row.withUnsafeBlob(at: 2) { try RecordTable.decode($0, id: id) }))
            }
            guard !rows.isEmpty else {
                try db.execute(sql: "DELETE FROM upstream_recovery_queue")
                return nil
            }
            return try Self.makeUpstreamBatch(db, rows, recovery: true, recoveringFrom: recoveringFrom)
        }
    }

    static func makeUpstreamBatch(_ db: Database, _ rows: [(RecordID, Int64, Record)], recovery: Bool,
                                  recoveringFrom: String?) throws -> UpstreamBatch {
        let request = PushRequest(batch: .random(), node: NodeID(unchecked: try upstreamMeta(db, "upstream_node") ?? ""),
                                  after: try upstreamMeta(db, "upstream_last_batch").flatMap(BatchID.init), relay: true,
                                  recoveringFrom: recoveringFrom, records: rows.map(\.2))
        try setMeta(db, "upstream_pending_batch", request.jsonValue.serialized())
        try setMeta(db, "upstream_pending_kind", recovery ? "recovery" : "changes")
        try db.execute(sql: "DELETE FROM upstream_pending")
        for (id, seq, _) in rows {
            try db.cachedStatement(sql: "INSERT INTO upstream_pending(record_id, seq) VALUES (?, ?)").execute(arguments: [id.rawValue, seq])
        }
        return UpstreamBatch(request: request, entries: rows.map { UpstreamBatch.Entry(record: $0.0, seq: $0.1) }, isRecovery: recovery)
    }

    static func loadUpstreamBatch(_ db: Database) throws -> UpstreamBatch? {
        guard let body = try upstreamMeta(db, "upstream_pending_batch") else { return nil }
        let request: PushRequest
        do {
            request = try PushRequest(json: JSONValue.parse(body))
        } catch {
            throw APIError.internal("The pending upstream batch cannot be read (\(error)).")
        }
        var entries: [UpstreamBatch.Entry] = []
        try db.cachedStatement(sql: "SELECT record_id, seq FROM upstream_pending").forEachRow(arguments: []) { row in
            entries.append(UpstreamBatch.Entry(record: RecordID(unchecked: row.text(at: 0)), seq: row.int64(at: 1)))
        }
        return UpstreamBatch(request: request, entries: entries, isRecovery: try upstreamMeta(db, "upstream_pending_kind") == "recovery")
    }

    static func dropUpstreamBatch(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM server_meta WHERE key IN ('upstream_pending_batch', 'upstream_pending_kind')")
        try db.execute(sql: "DELETE FROM upstream_pending")
    }

    /// Headquarters stored `batch`: its records are done for this pass (or for the recovery), and
    /// the next batch is chained after it.
    public func acknowledgeUpstream(_ batch: UpstreamBatch) throws {
        try pool.write { db in
            for entry in batch.entries {
                if batch.isRecovery {
                    try db.cachedStatement(sql: "DELETE FROM upstream_recovery_queue WHERE record_id = ?").execute(arguments: [entry.record.rawValue])
                } else {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO upstream_done(record_id, seq) VALUES (?, ?)")
                        .execute(arguments: [entry.record.rawValue, entry.seq])
                }
            }
            if try Self.upstreamMeta(db, "upstream_node") == batch.request.node.rawValue {
                try Self.setMeta(db, "upstream_last_batch", batch.request.batch.rawValue)
            }
            try Self.dropUpstreamBatch(db)
        }
    }

    /// Headquarters refused `batch`: the records it names (or the only one) are set aside —
    /// recorded in `upstream_refused`, done for this pass, sent again once they change — and the
    /// batch is dropped. Returns how many were set aside (0: nobody was named).
    public func setAsideUpstream(_ batch: UpstreamBatch, error: ErrorBody) throws -> Int {
        try pool.write { db in
            let inBatch = Dictionary(batch.entries.map { ($0.record.rawValue, $0.seq) }, uniquingKeysWith: { first, _ in first })
            var named = Set(error.details.compactMap { $0.record.flatMap { try? RecordID($0).rawValue } }).filter { inBatch[$0] != nil }
            if named.isEmpty && batch.entries.count == 1 { named = Set(inBatch.keys) }
            for id in named.sorted() {
                let message = error.details.first { $0.record.flatMap { try? RecordID($0).rawValue } == id }?.message ?? error.message
                try db.cachedStatement(sql: """
                    INSERT INTO upstream_refused(record_id, seq, code, message, refused_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(record_id) DO UPDATE SET seq = excluded.seq, code = excluded.code, message = excluded.message,
                      refused_at = excluded.refused_at
                    """).execute(arguments: [id, inBatch[id] ?? 0, error.code, message, Self.nowMillis()])
                if batch.isRecovery {
                    try db.cachedStatement(sql: "DELETE FROM upstream_recovery_queue WHERE record_id = ?").execute(arguments: [id])
                } else {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO upstream_done(record_id, seq) VALUES (?, ?)")
                        .execute(arguments: [id, inBatch[id] ?? 0])
                }
            }
            try Self.dropUpstreamBatch(db)
            return named.count
        }
    }

    /// Records headquarters refused and that have not changed since, oldest refusal first.
    public func upstreamRefusals() throws -> [UpstreamRefusal] {
        try prepareUpstream()
        return try pool.read { db in
            var result: [UpstreamRefusal] = []
            try db.cachedStatement(sql: """
                SELECT upstream_refused.record_id, code, message FROM upstream_refused
                JOIN records ON records.id = upstream_refused.record_id AND records.seq = upstream_refused.seq
                ORDER BY refused_at, upstream_refused.record_id
                """).forEachRow(arguments: []) { row in
                result.append(UpstreamRefusal(record: RecordID(unchecked: row.text(at: 0)), code: row.text(at: 1), message: row.text(at: 2)))
            }
            return result
        }
    }

    /// Another copy of this database relayed under the relay's node id: take a fresh one (the
    /// relay holds no writes of its own, so nothing needs re-stamping), restart the chain and drop
    /// the pending batch.
    public func renewUpstreamNode() throws {
        try pool.write { db in
            try Self.setMeta(db, "upstream_node", NodeID.random().rawValue)
            try db.execute(sql: "DELETE FROM server_meta WHERE key = 'upstream_last_batch'")
            try Self.dropUpstreamBatch(db)
        }
    }

    /// Notes that local changes up to `seq` were accepted upstream.
    public func markSentUpstream(through seq: Int64) throws {
        try pool.write { db in try Self.setMeta(db, "upstream_sent_seq", String(seq)) }
    }

    /// Forgets the upstream cursor (the next pull starts from the beginning).
    public func resetUpstreamCursor() throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM server_meta WHERE key = 'upstream_cursor'") }
    }

    /// Merges records pulled from upstream and stores the upstream cursor, in one transaction.
    /// Changed records get new local seqs, so this server's clients receive them.
    /// Returns how many records changed here.
    @discardableResult
    public func mergeFromUpstream(_ records: [Record], cursor: String) throws -> Int {
        try pool.write { db in
            var nextSeq: Int64 = (try Self.highestSeq(db)) + 1
            var changed = 0
            for record in records {
                let isNew = try Self.loadRecord(db, record.id) == nil
                let outcome = try Self.recordTable.merge(db, record) { merged in
                    if merged.type != .customer && !isNew { try Self.noteCustomerChange(db, merged) }
                    try Self.storeRecord(db, merged, seq: nextSeq)
                    nextSeq += 1
                    if merged.type == .customer { try Self.updateCustomerAccess(db, merged, isNew: isNew, actor: "upstream") }
                }
                if case .unchanged = outcome { continue }
                changed += 1
            }
            try Self.setMeta(db, "upstream_cursor", cursor)
            return changed
        }
    }

    // MARK: Recovery after headquarters was restored from a backup

    /// Begins a recovery sync from headquarters' epoch `epoch` (`""`: unknown).
    public func beginUpstreamRecovery(from epoch: String) throws {
        try prepareUpstream()
        try pool.write { db in
            try Self.setMeta(db, "upstream_recovery_from", epoch)
            try Self.setMeta(db, "upstream_recovery_step", "diff")
            try db.execute(sql: "DELETE FROM server_meta WHERE key = 'upstream_recovery_diff_after'")
            try db.execute(sql: "DELETE FROM upstream_recovery_queue")
        }
    }

    /// The next at most `limit` records (id and clock) after the recovery diff's position, by id.
    public func upstreamRecoveryCandidates(limit: Int) throws -> [DiffRequest.Entry] {
        try pool.read { db in
            let after = try Self.upstreamMeta(db, "upstream_recovery_diff_after") ?? ""
            var result: [DiffRequest.Entry] = []
            try db.cachedStatement(sql: "SELECT id, state FROM records WHERE id > ? ORDER BY id LIMIT ?")
                .forEachRow(arguments: [after, limit]) { row in
                    let id = RecordID(unchecked: row.text(at: 0))
                    let record = try row.withUnsafeBlob(at: 1) { try RecordTable.decode($0, id: id) }
                    result.append(DiffRequest.Entry(id: id, clock: record.clock))
                }
            return result
        }
    }

    /// The recovery diff covered every record up to `last`; queues `missing` for re-offering.
    public func upstreamRecoveryDiffed(through last: RecordID, missing: [RecordID]) throws {
        try pool.write { db in
            for id in missing {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO upstream_recovery_queue(record_id) VALUES (?)").execute(arguments: [id.rawValue])
            }
            try Self.setMeta(db, "upstream_recovery_diff_after", last.rawValue)
        }
    }

    /// Moves the recovery to `step` (`push` or `pull`; `pull` also forgets the upstream cursor).
    public func setUpstreamRecoveryStep(_ step: String) throws {
        try pool.write { db in
            try Self.setMeta(db, "upstream_recovery_step", step)
            if step == "pull" { try db.execute(sql: "DELETE FROM server_meta WHERE key = 'upstream_cursor'") }
        }
    }

    /// A run with headquarters' database `serverID` in its epoch `epoch` completed: store both and
    /// end any recovery.
    public func upstreamCompleted(serverID: String, epoch: String) throws {
        try pool.write { db in
            try Self.setMeta(db, "upstream_epoch_server", serverID)
            try Self.setMeta(db, "upstream_epoch", epoch)
            try db.execute(sql: """
                DELETE FROM server_meta WHERE key IN ('upstream_recovery_from', 'upstream_recovery_step', 'upstream_recovery_diff_after')
                """)
            try db.execute(sql: "DELETE FROM upstream_recovery_queue")
        }
    }

    static let recordTable = RecordTable("records")

    static func upstreamMeta(_ db: Database, _ key: String) throws -> String? {
        try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = ?", arguments: [key])
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT INTO server_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [key, value])
    }
}
