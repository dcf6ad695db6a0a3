import OutpostClient
import OutpostModel
import OutpostServer

/// Reconciles a branch office's server with headquarters, e.g. nightly: the branch server pushes
/// every record changed since the last run to headquarters, then pulls what headquarters has
/// (within the token's scope) and merges it, so branch clients receive it on their next sync.
///
/// Both servers are replicas; merging is the same field-level merge clients use, so running it
/// twice, or being killed part-way and run again, changes nothing more. The branch authenticates
/// with an ordinary token issued by headquarters (`manager` of its branch, or `hq`).
///
/// ```swift
/// let upstream = UpstreamSync(database: branchDatabase,
///                             api: SyncAPI(transport: try HTTPTransport(baseURL: hqURL), token: token))
/// let report = try await upstream.run { print($0) }
/// ```
public struct UpstreamSync: Sendable {
    /// The branch server's database.
    public let database: ServerDatabase
    /// Headquarters' API.
    public let api: SyncAPI
    /// Records per push batch.
    public var batchSize: Int
    /// Records per pull page.
    public var pageSize: Int

    /// Creates a reconciliation run.
    public init(database: ServerDatabase, api: SyncAPI, batchSize: Int = 500, pageSize: Int = SyncProtocol.defaultPageRecords) {
        self.database = database
        self.api = api
        self.batchSize = max(1, min(batchSize, SyncProtocol.maxBatchRecords))
        self.pageSize = max(1, min(pageSize, SyncProtocol.maxPageRecords))
    }

    /// What a run did.
    public struct Report: Sendable, Hashable {
        /// Records sent to headquarters.
        public var pushed = 0
        /// Of those, how many ended in conflict there.
        public var conflicts = 0
        /// Records received from headquarters.
        public var pulled = 0
        /// Received records that changed something here.
        public var changedHere = 0
    }

    /// Pushes local changes, then pulls until caught up. `progress` gets a line per batch or page.
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        var state = try database.upstreamState()
        while true {
            let changes = try database.changes(after: state.sentSeq, limit: batchSize)
            guard let last = changes.last else { break }
            let response = try await api.push(PushRequest(batch: .random(), node: .random(), relay: true, records: changes.map(\.record)))
            try database.markSentUpstream(through: last.seq)
            state.sentSeq = last.seq
            report.pushed += changes.count
            report.conflicts += response.results.filter { $0.status == .conflict }.count
            progress("Sent \(report.pushed) records to headquarters…")
        }
        var cursor = state.cursor
        var restarted = false
        while true {
            let page: PullPage
            do {
                page = try await api.pull(cursor: cursor, limit: pageSize)
            } catch SyncError.rejected(_, let error) where error.code == "invalid_cursor" && cursor != nil && !restarted {
                restarted = true
                cursor = nil
                continue
            }
            report.changedHere += try database.mergeFromUpstream(page.records, cursor: page.cursor)
            report.pulled += page.records.count
            progress("Received \(report.pulled) records from headquarters…")
            cursor = page.cursor
            if !page.hasMore { break }
        }
        return report
    }
}
