import OutpostModel

/// Runs a sync: push the outbox in batches, then pull pages until caught up.
///
/// Safe to kill at any instant: a batch is recorded locally before it is sent and only
/// cleared (with its outbox entries) once the server has answered; a retry re-sends the
/// same batch id and body, which the server answers without applying twice. Each pulled
/// page is applied together with its cursor in one local transaction.
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
    public func sync(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        var report = SyncReport()
        let toPush = try replica.pendingChangeCount()
        var current = SyncProgress(phase: .pushing, pushed: 0, toPush: toPush, pulled: 0)
        progress(current)
        try await push(&report, progress: { pushed in
            current.pushed = pushed
            progress(current)
        })
        current.phase = .pulling
        progress(current)
        try await pull(&report, progress: { pulled in
            current.pulled = pulled
            progress(current)
        })
        try replica.recordSyncCompleted()
        report.conflictsAfter = try replica.conflictCount()
        current.phase = .done
        progress(current)
        return report
    }

    /// Sends the outbox, one batch at a time, until it is empty.
    ///
    /// When the server refuses a batch (403, 409 or 422) the refused records are set aside with
    /// the server's reason (see ``Replica/refusedEdits()``) and the rest is sent; when the reply
    /// does not say which record was refused, the batch is retried one record at a time.
    public func push(_ report: inout SyncReport, progress: (Int) -> Void = { _ in }) async throws {
        var size = batchSize
        while true {
            guard let batch = try replica.pendingBatch(limit: size) else { return }
            let response: PushResponse
            do {
                response = try await api.push(batch.request)
            } catch SyncError.rejected(let status, let error) where [403, 409, 422].contains(status) {
                let refused = try replica.refuse(batch, error: error)
                report.refused += refused
                if refused == 0 { size = 1 }
                continue
            }
            try replica.acknowledge(batch, response: response)
            report.pushed += response.results.count
            for result in response.results {
                switch result.status {
                case .accepted: report.accepted += 1
                case .merged: report.merged += 1
                case .conflict: report.conflicted += 1
                }
            }
            progress(report.pushed)
        }
    }

    /// Pulls pages after the stored cursor until the server says there is no more.
    ///
    /// While a page is applied, the next one is already fetched and decoded in a child task
    /// (its cursor is known once the page is decoded). Pages are still applied strictly in
    /// order, each with its cursor in one transaction, so a crash loses at most the page in hand.
    public func pull(_ report: inout SyncReport, progress: (Int) -> Void = { _ in }) async throws {
        var cursor = try replica.cursor()
        var restarted = false
        var prefetched: ReceivedPullPage?
        while true {
            let page: ReceivedPullPage
            if let ready = prefetched {
                page = ready
                prefetched = nil
            } else {
                do {
                    page = try await api.pullReceived(cursor: cursor, limit: pageSize)
                } catch SyncError.rejected(_, let error) where error.code == "invalid_cursor" && cursor != nil && !restarted {
                    // The server was replaced or reset: start over; merging makes re-pulling safe.
                    restarted = true
                    cursor = nil
                    continue
                }
            }
            let api = self.api
            let pageSize = self.pageSize
            let nextCursor = page.cursor
            async let next: ReceivedPullPage? = page.hasMore ? api.pullReceived(cursor: nextCursor, limit: pageSize) : nil
            try replica.apply(page)
            report.pulled += page.count
            progress(report.pulled)
            cursor = page.cursor
            do {
                prefetched = try await next
            } catch SyncError.rejected(_, let error) where error.code == "invalid_cursor" && !restarted {
                restarted = true
                cursor = nil
                continue
            }
            if prefetched == nil { return }
        }
    }
}
