import OutpostModel

/// Where a replica stands with a server's epochs: the epoch of its last completed sync, and a
/// recovery sync in progress after the server was restored from a backup (SPEC §11.1, §15).
public struct SyncEpochState: Sendable, Hashable {
    /// The step of a recovery sync.
    public enum RecoveryStep: String, Sendable, Hashable {
        /// Asking the server which local records hold writes it lacks (`POST /v1/diff`).
        case diff
        /// Re-offering those records (pushes with `recoveringFrom`).
        case push
        /// Pulling everything again from no cursor.
        case pull
    }

    /// The server database (`serverId`) of the last completed sync (`nil` before the first).
    public var serverID: String?
    /// The server epoch of the last completed sync (`nil` before the first).
    public var epoch: String?
    /// The epoch a recovery sync recovers from, while one is pending (`""` when unknown).
    public var recoveringFrom: String?
    /// The step a pending recovery sync has reached.
    public var step: RecoveryStep

    /// Creates a state.
    public init(serverID: String?, epoch: String?, recoveringFrom: String? = nil, step: RecoveryStep = .diff) {
        self.serverID = serverID
        self.epoch = epoch
        self.recoveringFrom = recoveringFrom
        self.step = step
    }
}

/// The local side of a sync, as the one sync loop (``SyncLoop``) sees it. Implemented by the
/// client's ``Replica`` and by a branch server's upstream state (the relay). Every method that
/// changes state does so in one local transaction, so a sync can be killed at any point and run again.
public protocol SyncStore: Sendable {
    /// `true` when this side relays other replicas' writes (pushes carry `relay: true`).
    var relaysWrites: Bool { get }
    /// The pending batch (recorded earlier, not answered yet) or a new one of at most `limit`
    /// pending records, customers before the records that refer to them; `nil` when nothing waits.
    func syncNextBatch(limit: Int) throws -> PendingBatch?
    /// The pending batch, or a new recovery batch of at most `limit` records the server lacks,
    /// pushed with `recoveringFrom`; `nil` when none is left.
    func syncNextRecoveryBatch(limit: Int, recoveringFrom: String?) throws -> PendingBatch?
    /// The server stored `batch`: clear what it covered and chain the next batch after it.
    func syncAcknowledge(_ batch: PendingBatch, response: PushResponse) throws
    /// The server refused `batch`: set aside the records it names (kept, reported, out of the way
    /// of the rest) and drop the batch. Returns how many were set aside (0: nobody was named).
    func syncSetAside(_ batch: PendingBatch, error: ErrorBody) throws -> Int
    /// Another copy pushed under this side's node id: take a fresh one (re-stamping unacknowledged writes).
    func syncTakeNewNode() throws
    /// The node id pushes are made under now.
    func syncNode() throws -> NodeID
    /// The stored pull cursor.
    func syncCursor() throws -> String?
    /// Forgets the pull cursor.
    func syncResetCursor() throws
    /// The server answered 409 `scope_changed` (SPEC §11.2): forget the cursor and re-scope — the
    /// pull from the beginning that follows lists everything this side may read now, and whatever
    /// it did not list leaves when it ends. The default only forgets the cursor.
    func syncScopeChanged() throws
    /// The session the server reported at the start of a sync (role and branch may have changed).
    /// The default ignores it.
    func syncSession(_ session: SessionInfo) throws
    /// Applies a pulled page and its cursor in one transaction; returns how many records changed here.
    func syncApply(_ page: PulledPage) throws -> Int
    /// The stored epoch and recovery state.
    func syncEpochState() throws -> SyncEpochState
    /// Records that a recovery sync from `epoch` (`""`: unknown) must run, starting with the diff step.
    func syncBeginRecovery(from epoch: String) throws
    /// The next at most `limit` records (ids and clocks) the recovery diff has not covered yet, in id order.
    func syncRecoveryCandidates(limit: Int) throws -> [DiffRequest.Entry]
    /// The diff covered every record up to `last`; `missing` are to be re-offered.
    func syncRecoveryDiffed(through last: RecordID, missing: [RecordID]) throws
    /// Moves a recovery to `step`; moving to ``SyncEpochState/RecoveryStep/pull`` also forgets the
    /// cursor; after a recovery the epoch did not reveal (`from` unknown: tombstones purged since the
    /// last sync) a replica then re-lists: what the pull from the beginning does not list leaves (SPEC §11.3).
    func syncRecoveryStep(_ step: SyncEpochState.RecoveryStep) throws
    /// A sync with server database `serverID` in `epoch` completed: store both and end any recovery.
    func syncCompleted(serverID: String, epoch: String) throws
}

extension SyncStore {
    /// Forgets the cursor (a relay re-pulls; merging is idempotent).
    public func syncScopeChanged() throws { try syncResetCursor() }
    /// Ignores the session.
    public func syncSession(_ session: SessionInfo) throws {}
}

/// What one run of the sync loop did.
public struct SyncLoopReport: Sendable, Hashable {
    /// Records pushed and acknowledged (outbox and recovery).
    public var pushed = 0
    /// Pushed records the server stored as sent.
    public var accepted = 0
    /// Pushed records merged with concurrent writes without conflict.
    public var merged = 0
    /// Pushed records that ended in conflict on the server.
    public var conflicted = 0
    /// Records the server refused, set aside (kept locally).
    public var setAside = 0
    /// Records received.
    public var pulled = 0
    /// Received records that changed something locally.
    public var changedHere = 0
    /// Times this side took a new node id because another copy had used its id.
    public var nodeChanges = 0
    /// Records re-offered to a server restored from a backup.
    public var recovered = 0
    /// `true` when this run completed a recovery sync.
    public var recoveryCompleted = false

    /// Creates an empty report.
    public init() {}
}

/// The one sync algorithm of SPEC §15, shared by clients (``SyncEngine``) and branch servers
/// relaying to headquarters (`UpstreamSync`): negotiate the protocol version and check the
/// server's epoch; after a server restore, re-offer what it lacks (diff, recovery pushes, full
/// pull); push pending records in chained batches (customers first), setting aside refused
/// records and taking a new node id when another copy used this one; then pull pages until
/// caught up.
///
/// ```swift
/// let loop = SyncLoop(store: replica, api: api)
/// var report = SyncLoopReport()
/// try await loop.run(&report)
/// ```
public struct SyncLoop<Store: SyncStore>: Sendable {
    /// The local side.
    public let store: Store
    /// The server's API.
    public var api: SyncAPI
    /// Records per push batch.
    public var batchSize: Int
    /// Records per pull page.
    public var pageSize: Int

    /// Creates a loop.
    public init(store: Store, api: SyncAPI, batchSize: Int = 500, pageSize: Int = SyncProtocol.defaultPageRecords) {
        self.store = store
        self.api = api
        self.batchSize = max(1, min(batchSize, SyncProtocol.maxBatchRecords))
        self.pageSize = max(1, min(pageSize, SyncProtocol.maxPageRecords))
    }

    /// What the loop reports as it goes.
    public enum Event: Sendable, Hashable {
        /// Records pushed so far.
        case pushed(Int)
        /// Records pulled so far.
        case pulled(Int)
        /// Records re-offered so far to a restored server.
        case recovering(Int)
    }

    /// Runs one sync, reporting progress through `events`; `pulling` is called when the pull phase begins.
    public func run(_ report: inout SyncLoopReport, events: (Event) -> Void = { _ in }, pulling: () -> Void = {}) async throws {
        var api = self.api
        let (session, version) = try await api.negotiate()
        api.version = version
        try store.syncSession(session)
        var state = try store.syncEpochState()
        if state.recoveringFrom == nil {
            if state.serverID == session.serverID, let stored = state.epoch, stored != session.epoch {
                // The server was restored from a backup since the last sync: it may lack acknowledged writes.
                try store.syncBeginRecovery(from: stored)
                state = try store.syncEpochState()
            } else if state.serverID != session.serverID || state.epoch == nil {
                // First sync with this server database (a replaced server restarts the cursor): nothing to recover.
                if state.serverID != nil && state.serverID != session.serverID { try store.syncResetCursor() }
                try store.syncCompleted(serverID: session.serverID, epoch: session.epoch)
            }
        }
        var recoveryAsked = state.recoveringFrom != nil
        while true {
            do {
                if let from = state.recoveringFrom {
                    try await recover(from: from.isEmpty ? nil : from, step: state.step, api: api, &report, events: events)
                }
                try await push(api: api, &report, events: events, pullBeforeNewNode: true) { try store.syncNextBatch(limit: $0) }
                pulling()
                try await pull(api: api, &report, events: events)
                break
            } catch SyncError.rejected(409, let error) where error.code == "recovery_required" && !recoveryAsked {
                // The cursor is from before a restore the epoch check did not reveal: recover now.
                recoveryAsked = true
                let stored = try store.syncEpochState().epoch
                try store.syncBeginRecovery(from: stored.flatMap { $0 == session.epoch ? nil : $0 } ?? "")
                state = try store.syncEpochState()
            }
        }
        if try store.syncEpochState().recoveringFrom != nil { report.recoveryCompleted = true }
        try store.syncCompleted(serverID: session.serverID, epoch: session.epoch)
    }

    /// The recovery sync's diff and push steps; the pull step is the ordinary pull from no cursor.
    func recover(from epoch: String?, step: SyncEpochState.RecoveryStep, api: SyncAPI, _ report: inout SyncLoopReport,
                 events: (Event) -> Void) async throws {
        if step == .diff {
            while true {
                let entries = try store.syncRecoveryCandidates(limit: SyncProtocol.maxBatchRecords)
                guard let last = entries.last else { break }
                let missing = try await api.diff(DiffRequest(records: entries))
                try store.syncRecoveryDiffed(through: last.id, missing: missing.missing)
            }
            try store.syncRecoveryStep(.push)
        }
        if step != .pull {
            let before = report.pushed
            try await push(api: api, &report, events: { event in
                if case .pushed(let count) = event { events(.recovering(count - before)) }
            }) {
                try store.syncNextRecoveryBatch(limit: $0, recoveringFrom: epoch)
            }
            report.recovered += report.pushed - before
            try store.syncRecoveryStep(.pull)
        }
    }

    /// Pushes batches from `next` until it has none, handling refusals (SPEC §15).
    ///
    /// With `pullBeforeNewNode`, a replica told that another copy pushed under its node id first
    /// pulls what the server holds: writes both copies share (made before the copy) are then
    /// known as acknowledged and keep their dots, and only this copy's own writes are re-stamped.
    func push(api: SyncAPI, _ report: inout SyncLoopReport, events: (Event) -> Void, pullBeforeNewNode: Bool = false,
              next: (Int) throws -> PendingBatch?) async throws {
        var size = batchSize
        var justRotated = false
        var renewals = 0
        while let batch = try next(size) {
            let response: PushResponse
            do {
                response = try await api.push(batch.request)
            } catch SyncError.rejected(409, let error)
                where error.code == "node_reused" || (error.code == "dot_reused" && !justRotated && !store.relaysWrites)
            {
                // Another copy of this replica pushed under the same node id: re-stamp and go on.
                // (A relay's dot_reused concerns its clients' writes, not its node: set aside below.)
                // A fresh random node id cannot be another copy's: a server that keeps saying so is
                // broken, and the run stops rather than loop (nothing is lost; the edits stay queued).
                guard renewals < 3 else { throw SyncError.rejected(status: 409, error: error) }
                renewals += 1
                let node = try store.syncNode()
                if pullBeforeNewNode && !store.relaysWrites {
                    // A pulled version showing the other copy's writes re-stamps during the pull.
                    try await pull(api: api, &report, events: events)
                }
                if try store.syncNode() == node { try store.syncTakeNewNode() }
                report.nodeChanges += 1
                justRotated = true
                continue
            } catch SyncError.rejected(let status, let error) where [403, 409, 413, 422].contains(status) {
                let setAside = try store.syncSetAside(batch, error: error)
                report.setAside += setAside
                if setAside == 0 { size = 1 }
                justRotated = false
                continue
            }
            justRotated = false
            try store.syncAcknowledge(batch, response: response)
            report.pushed += response.results.count
            for result in response.results {
                switch result.status {
                case .accepted: report.accepted += 1
                case .merged: report.merged += 1
                case .conflict: report.conflicted += 1
                }
            }
            events(.pushed(report.pushed))
        }
    }

    /// Pulls pages after the stored cursor until the server has nothing newer.
    ///
    /// While a page is applied, the next one is already fetched and decoded in a child task.
    /// Pages are applied strictly in order, each with its cursor in one transaction.
    func pull(api: SyncAPI, _ report: inout SyncLoopReport, events: (Event) -> Void) async throws {
        var cursor = try store.syncCursor()
        var restarted = false
        var rescopes = 0
        var prefetched: PulledPage?
        let pageSize = self.pageSize
        while true {
            let page: PulledPage
            if let ready = prefetched {
                page = ready
                prefetched = nil
            } else {
                do {
                    page = try await api.pullPage(cursor: cursor, limit: pageSize)
                } catch SyncError.rejected(_, let error) where error.code == "invalid_cursor" && cursor != nil && !restarted {
                    // The server was replaced or reset: start over; merging makes re-pulling safe.
                    restarted = true
                    cursor = nil
                    continue
                } catch SyncError.rejected(409, let error) where error.code == "scope_changed" && rescopes < 3 {
                    // What this user may read changed: pull everything again; what is not listed leaves.
                    rescopes += 1
                    try store.syncScopeChanged()
                    cursor = nil
                    continue
                }
            }
            let nextCursor = page.cursor
            async let next: PulledPage? = page.hasMore ? api.pullPage(cursor: nextCursor, limit: pageSize) : nil
            report.changedHere += try store.syncApply(page)
            report.pulled += page.count
            events(.pulled(report.pulled))
            cursor = page.cursor
            do {
                prefetched = try await next
            } catch SyncError.rejected(_, let error) where error.code == "invalid_cursor" && !restarted {
                restarted = true
                cursor = nil
                continue
            } catch SyncError.rejected(409, let error) where error.code == "scope_changed" && rescopes < 3 {
                rescopes += 1
                try store.syncScopeChanged()
                cursor = nil
                continue
            }
            if prefetched == nil { return }
        }
    }
}
