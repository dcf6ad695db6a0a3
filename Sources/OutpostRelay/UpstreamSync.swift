import OutpostClient
import OutpostModel
import OutpostServer

/// Reconciles a branch office's server with headquarters, e.g. nightly: the branch server relays
/// every record changed since the last run to headquarters, then pulls what headquarters has
/// (within the token's scope) and merges it, so branch clients receive it on their next sync.
///
/// It runs the same sync loop as clients (``SyncLoop``, SPEC §15.1) over ``UpstreamStore``:
/// batches chained under a persistent relay node id with `relay: true`, customers before the
/// records that refer to them, records headquarters refuses set aside (listed in the report,
/// sent again once they change) instead of stopping the run, and a recovery sync when
/// headquarters was restored from a backup. Running it twice, or killing it part-way and running
/// it again, changes nothing more. The branch authenticates with an ordinary token issued by
/// headquarters (`manager` of its branch, or `hq`).
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
        /// Records sent to headquarters and acknowledged.
        public var pushed = 0
        /// Of those, how many ended in conflict there.
        public var conflicts = 0
        /// Records headquarters refused in this run (kept here; sent again once they change).
        public var setAside = 0
        /// Every record headquarters has refused and that has not changed since, with the reason.
        public var refused: [ServerDatabase.UpstreamRefusal] = []
        /// Records received from headquarters.
        public var pulled = 0
        /// Received records that changed something here.
        public var changedHere = 0
        /// Records re-offered to headquarters after it was restored from a backup.
        public var recovered = 0
        /// Times the relay took a new node id (another copy of this database had relayed under it).
        public var nodeChanges = 0
        /// The version of headquarters' policy document this server now hands to its devices (SPEC §15.1).
        public var policyVersion: Int64?
    }

    /// Pushes local changes, then pulls until caught up. `progress` gets a line per batch or page.
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        try database.prepareUpstream()
        var loopReport = SyncLoopReport()
        let loop = SyncLoop(store: UpstreamStore(database: database), api: api, batchSize: batchSize, pageSize: pageSize)
        try await loop.run(&loopReport, events: { event in
            switch event {
            case .pushed(let count): progress("Sent \(count) records to headquarters…")
            case .pulled(let count): progress("Received \(count) records from headquarters…")
            case .recovering(let count): progress("Re-offered \(count) records to the restored headquarters server…")
            }
        })
        var report = Report()
        report.pushed = loopReport.pushed
        report.conflicts = loopReport.conflicted
        report.setAside = loopReport.setAside
        report.refused = try database.upstreamRefusals()
        report.pulled = loopReport.pulled
        report.changedHere = loopReport.changedHere
        report.recovered = loopReport.recovered
        report.nodeChanges = loopReport.nodeChanges
        // Headquarters' policy document, handed on to this branch's devices (SPEC §15.1).
        if let (document, _) = try? await api.policy() { report.policyVersion = try database.adoptPolicy(document).version }
        return report
    }
}

/// A branch server's upstream state as the local side of the sync loop (SPEC §15.1).
public struct UpstreamStore: SyncStore {
    /// The branch server's database.
    public let database: ServerDatabase

    /// Wraps a branch server's database.
    public init(database: ServerDatabase) { self.database = database }

    public var relaysWrites: Bool { true }

    public func syncNextBatch(limit: Int) throws -> PendingBatch? {
        try database.nextUpstreamBatch(limit: limit).map(Self.pending)
    }

    public func syncNextRecoveryBatch(limit: Int, recoveringFrom: String?) throws -> PendingBatch? {
        try database.nextUpstreamRecoveryBatch(limit: limit, recoveringFrom: recoveringFrom).map(Self.pending)
    }

    public func syncAcknowledge(_ batch: PendingBatch, response: PushResponse) throws {
        try database.acknowledgeUpstream(Self.upstream(batch))
    }

    public func syncSetAside(_ batch: PendingBatch, error: ErrorBody) throws -> Int {
        try database.setAsideUpstream(Self.upstream(batch), error: error)
    }

    public func syncTakeNewNode() throws { try database.renewUpstreamNode() }

    public func syncNode() throws -> NodeID { try database.upstreamState().node }

    public func syncCursor() throws -> String? { try database.upstreamState().cursor }

    public func syncResetCursor() throws { try database.resetUpstreamCursor() }

    /// Merges a page from headquarters. Records of entity types this server does not know are
    /// not stored here (its clients could not receive them either); they stay at headquarters.
    public func syncApply(_ page: PulledPage) throws -> Int {
        try database.mergeFromUpstream(try page.page.records(), cursor: page.cursor)
    }

    public func syncEpochState() throws -> SyncEpochState {
        let state = try database.upstreamState()
        return SyncEpochState(serverID: state.epochServerID, epoch: state.epoch, recoveringFrom: state.recoveringFrom,
                              step: state.recoveryStep.flatMap(SyncEpochState.RecoveryStep.init) ?? .diff)
    }

    public func syncBeginRecovery(from epoch: String) throws { try database.beginUpstreamRecovery(from: epoch) }

    public func syncRecoveryCandidates(limit: Int) throws -> [DiffRequest.Entry] {
        try database.upstreamRecoveryCandidates(limit: limit)
    }

    public func syncRecoveryDiffed(through last: RecordID, missing: [RecordID]) throws {
        try database.upstreamRecoveryDiffed(through: last, missing: missing)
    }

    public func syncRecoveryStep(_ step: SyncEpochState.RecoveryStep) throws {
        try database.setUpstreamRecoveryStep(step.rawValue)
    }

    public func syncCompleted(serverID: String, epoch: String) throws {
        try database.upstreamCompleted(serverID: serverID, epoch: epoch)
    }

    static func pending(_ batch: ServerDatabase.UpstreamBatch) -> PendingBatch {
        PendingBatch(request: batch.request, entries: batch.entries.map { PendingBatch.Entry(record: $0.record, outboxSeq: $0.seq) },
                     isRecovery: batch.isRecovery)
    }

    static func upstream(_ batch: PendingBatch) -> ServerDatabase.UpstreamBatch {
        ServerDatabase.UpstreamBatch(request: batch.request,
                                     entries: batch.entries.map { ServerDatabase.UpstreamBatch.Entry(record: $0.record, seq: $0.outboxSeq) },
                                     isRecovery: batch.isRecovery)
    }
}
