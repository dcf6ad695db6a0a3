import OutpostModel

/// Runs a client sync with the one sync loop (``SyncLoop``, SPEC §15): checks the protocol
/// version and the server's epoch (running a recovery sync after a server restore), pushes the
/// outbox in chained batches, then pulls pages until caught up.
///
/// Safe to kill at any instant: a batch is recorded locally before it is sent and only
/// cleared (with its outbox entries) once the server has answered; a retry re-sends the
/// same batch id and body, which the server answers without applying twice. Each pulled
/// page is applied together with its cursor in one local transaction, and a recovery sync's
/// progress is stored as it goes.
///
/// ```swift
/// let engine = SyncEngine(replica: replica, api: SyncAPI(transport: transport, token: token))
/// let report = try await engine.sync { progress in print(progress.pulled) }
/// ```
public struct SyncEngine: Sendable {
    /// The local replica.
    public let replica: Replica
    /// The server API.
    public let api: SyncAPI
    /// Records per push batch.
    public var batchSize: Int
    /// Records per pull page.
    public var pageSize: Int

    /// Creates an engine.
    public init(replica: Replica, api: SyncAPI, batchSize: Int = 500, pageSize: Int = SyncProtocol.defaultPageRecords) {
        self.replica = replica
        self.api = api
        self.batchSize = max(1, min(batchSize, SyncProtocol.maxBatchRecords))
        self.pageSize = max(1, min(pageSize, SyncProtocol.maxPageRecords))
    }

    /// Pushes every pending edit, then pulls until the server has nothing newer.
    ///
    /// - Throws: ``SyncError`` (``SyncError/unsupportedProtocol(serverVersions:)`` when the app and
    ///   the server share no protocol version; ``SyncError/unreachable(_:)`` offline; …). Local
    ///   edits are kept whatever happens.
    ///
    /// Runs in the caller's isolation (`isolation`), so an actor on the replica's
    /// ``DatabaseExecutor`` keeps the database work off the shared concurrency threads.
    public func sync(isolation: isolated (any Actor)? = #isolation,
                     progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let toPush = try replica.pendingChangeCount()
        var current = SyncProgress(phase: .pushing, pushed: 0, toPush: toPush, pulled: 0)
        progress(current)
        var loopReport = SyncLoopReport()
        let loop = SyncLoop(store: replica, api: api, batchSize: batchSize, pageSize: pageSize)
        try await loop.run(&loopReport, events: { event in
            switch event {
            case .pushed(let count): current.pushed = count
            case .pulled(let count): current.pulled = count
            case .recovering: break
            }
            progress(current)
        }, pulling: {
            current.phase = .pulling
            progress(current)
        })
        // Late edits of merged duplicates go to the customer they were merged into (SPEC §6.6),
        // and are sent in the same sync.
        if try replica.redirectMergedWrites() > 0 {
            try await loop.run(&loopReport)
        }
        // Who wrote what: names for the conflict display, refreshed when new versions arrived.
        if loopReport.pulled > 0 || loopReport.pushed > 0 {
            try replica.rememberAuthors(try await api.authors())
        }
        // The policy document and customer code blocks (SPEC §9.8, §9.9).
        let policyReport = try await PolicySync(replica: replica, api: api).run(now: Replica.systemMillis(), isolation: isolation)
        try replica.recordSyncCompleted()
        var report = SyncReport()
        report.policyVersion = policyReport.policyVersion
        report.codesLeased = policyReport.codesLeased
        report.policyProblem = policyReport.policyProblem
        report.pushed = loopReport.pushed
        report.accepted = loopReport.accepted
        report.merged = loopReport.merged
        report.conflicted = loopReport.conflicted
        report.refused = loopReport.setAside
        report.pulled = loopReport.pulled
        report.nodeChanges = loopReport.nodeChanges
        report.recovered = loopReport.recovered
        report.conflictsAfter = try replica.conflictCount()
        current.phase = .done
        progress(current)
        return report
    }

    /// Only the push phase: sends the outbox in chained batches until it is empty (refused records
    /// are set aside, see ``Replica/refusedEdits()``; a reused node id is replaced).
    public func push(_ report: inout SyncReport, progress: (Int) -> Void = { _ in }) async throws {
        var loopReport = SyncLoopReport()
        let loop = SyncLoop(store: replica, api: api, batchSize: batchSize, pageSize: pageSize)
        try await loop.push(api: api, &loopReport, events: { if case .pushed(let count) = $0 { progress(count) } }) {
            try replica.syncNextBatch(limit: $0)
        }
        report.pushed += loopReport.pushed
        report.accepted += loopReport.accepted
        report.merged += loopReport.merged
        report.conflicted += loopReport.conflicted
        report.refused += loopReport.setAside
        report.nodeChanges += loopReport.nodeChanges
    }

    /// Only the pull phase: pulls pages after the stored cursor until the server has nothing newer.
    public func pull(_ report: inout SyncReport, progress: (Int) -> Void = { _ in }) async throws {
        var loopReport = SyncLoopReport()
        let loop = SyncLoop(store: replica, api: api, batchSize: batchSize, pageSize: pageSize)
        try await loop.pull(api: api, &loopReport, events: { if case .pulled(let count) = $0 { progress(count) } })
        report.pulled += loopReport.pulled
    }
}
