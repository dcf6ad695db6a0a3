import Foundation

/// Automatic sync (``OfflineClient/startSyncing(policy:)``): one loop that decides when to sync
/// and runs one sync at a time.
///
/// It syncs at start; after local edits once they go quiet for ``SyncPolicy/debounce`` (at most
/// ``SyncPolicy/maximumDelay`` behind the first); every ``SyncPolicy/interval``; at once when
/// the app reports the network back (``networkBecameReachable()``); and, in live mode, when a
/// long-poll pull reports changes on the server. After a failure it waits out an exponential
/// backoff with jitter (edits do not cut it short; a network report does), so a device offline
/// for hours does not hammer the server; on Linux, where no reachability API exists, the first
/// retry that succeeds is how the network's return is noticed. All waiting is on an injectable
/// ``SyncClock``.
final class SyncScheduler: @unchecked Sendable {
    // Safety: `flags` is only touched with `lock` held; the rest is immutable or thread-safe.

    /// What the scheduler needs from its client.
    struct Dependencies: Sendable {
        /// Runs one sync (collapsing with any sync already running).
        var sync: @Sendable () async throws -> Void
        /// Holds a pull open up to the given seconds; `true` when the server has changes to pull.
        var waitForRemoteChanges: @Sendable (_ seconds: Int) async throws -> Bool
        var status: SyncStatusBroadcaster
        var changes: ReplicaChangeNotifier
        var clock: any SyncClock
        /// A random number in 0 ..< 1 (for jitter).
        var random: @Sendable () -> Double
        /// `true` once the client that owns the schedule is gone (the loop then ends).
        var isGone: @Sendable () -> Bool = { false }
    }

    private struct Flags {
        var stopping = false
        var networkReturned = false
        var remoteChanged = false
        var firstEdit: Duration?
        var lastEdit: Duration?
        var liveRunning = false
        var liveUnsupported = false
    }

    let policy: SyncPolicy
    private let dependencies: Dependencies
    private let lock = NSLock()
    private var flags = Flags()
    private let wake = ChangeSignal()
    private var subscription: ReplicaChangeNotifier.Token?
    private var loopTask: Task<Void, Never>?
    private var liveTask: Task<Void, Never>?

    init(policy: SyncPolicy, dependencies: Dependencies) {
        self.policy = policy
        self.dependencies = dependencies
    }

    /// Starts the loop (the first sync runs at once).
    func start() {
        let clock = dependencies.clock
        let token = dependencies.changes.subscribe { [weak self] change in
            guard let self, change.editsQueued else { return }
            let now = clock.now
            self.lock.withLock {
                if self.flags.firstEdit == nil { self.flags.firstEdit = now }
                self.flags.lastEdit = now
            }
            self.wake.raise()
        }
        let task = Task { await self.loop() }
        lock.withLock {
            subscription = token
            loopTask = task
        }
    }

    /// Stops: no new sync starts; returns once the sync in flight (if any) has finished.
    func stop() async {
        let (task, live, token) = lock.withLock { () -> (Task<Void, Never>?, Task<Void, Never>?, ReplicaChangeNotifier.Token?) in
            flags.stopping = true
            return (loopTask, liveTask, subscription)
        }
        if let token { dependencies.changes.unsubscribe(token) }
        wake.raise()
        live?.cancel()
        await task?.value
    }

    /// The app learned that the network is back (e.g. from `NWPathMonitor`): sync now, backoff reset.
    func networkBecameReachable() {
        lock.withLock { flags.networkReturned = true }
        wake.raise()
    }

    private func loop() async {
        let clock = dependencies.clock
        var failures = 0
        var retryAt: Duration?
        var periodicAt: Duration? = clock.now  // the first sync runs at once
        while true {
            let now = clock.now
            let current = lock.withLock { flags }
            if current.stopping { break }
            var due: Duration?
            if current.networkReturned {
                due = now
                failures = 0
                retryAt = nil
            } else if let retryAt {
                due = retryAt
            } else {
                due = periodicAt
                if let first = current.firstEdit, let last = current.lastEdit {
                    let edits = min(last + policy.debounce, first + policy.maximumDelay)
                    due = min(due ?? edits, edits)
                }
                if current.remoteChanged { due = now }
            }
            if let due, due <= now {
                lock.withLock {
                    flags.networkReturned = false
                    flags.remoteChanged = false
                    flags.firstEdit = nil
                    flags.lastEdit = nil
                }
                do {
                    try await dependencies.sync()
                    failures = 0
                    retryAt = nil
                    periodicAt = policy.interval.map { clock.now + $0 }
                } catch is CancellationError where lock.withLock({ flags.stopping }) || dependencies.isGone() {
                    break
                } catch {
                    failures += 1
                    let delay = policy.backoff.delay(afterFailures: failures, unit: dependencies.random())
                    let at = clock.now + delay
                    retryAt = at
                    let retry = SyncRetry(failures: failures, at: at, date: Date().addingTimeInterval(SyncPolicy.Backoff.seconds(delay)))
                    dependencies.status.update { $0.retrying(retry) }
                }
                continue
            }
            if policy.live && retryAt == nil && !current.liveRunning && !current.liveUnsupported { startLivePull() }
            await waitForWake(until: due)
        }
    }

    /// Waits until `deadline` passes or something wakes the loop.
    private func waitForWake(until deadline: Duration?) async {
        let clock = dependencies.clock, wake = self.wake
        await withTaskGroup(of: Void.self) { group in
            if let deadline { group.addTask { try? await clock.sleep(until: deadline) } }
            group.addTask { _ = await wake.next() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Live mode: one long-poll pull at a time; its answer wakes the loop.
    private func startLivePull() {
        let started = lock.withLock { () -> Bool in
            guard !flags.stopping else { return false }
            flags.liveRunning = true
            return true
        }
        guard started else { return }
        let task = Task { [dependencies, policy] in
            let clock = dependencies.clock
            let began = clock.now
            var changed = false, unsupported = false
            do {
                changed = try await dependencies.waitForRemoteChanges(policy.liveWaitSeconds)
            } catch SyncError.rejected(400, _) {
                // A server without long-poll refuses the parameter: fall back to periodic syncs.
                unsupported = true
            } catch {
                // Let a sync find out what is wrong (it backs off when the server is unreachable).
                changed = !(error is CancellationError) && !Task.isCancelled
            }
            if !changed && !Task.isCancelled && clock.now < began + .seconds(1) {
                // Answered at once without changes (a server not holding pulls): don't spin.
                try? await clock.sleep(until: began + .seconds(1))
            }
            self.lock.withLock {
                self.flags.liveRunning = false
                if changed { self.flags.remoteChanged = true }
                if unsupported { self.flags.liveUnsupported = true }
            }
            self.wake.raise()
        }
        lock.withLock { liveTask = task }
    }
}
