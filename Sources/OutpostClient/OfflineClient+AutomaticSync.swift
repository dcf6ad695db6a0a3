import OutpostModel

extension OfflineClient {
    /// Starts syncing automatically (see ``SyncPolicy`` and the schedule described at
    /// ``SyncScheduler``): at once, after local edits (debounced), periodically, when the
    /// network returns, and — with ``SyncPolicy/live`` — as soon as the server has changes for
    /// this user (a long-poll pull held open on the server). Failures are retried with
    /// exponential backoff and jitter; ``syncStatus()`` shows the next attempt. Never more than
    /// one sync runs at a time (manual ``sync(progress:)`` calls join a running one). Starting
    /// again replaces the policy.
    ///
    /// ```swift
    /// await client.startSyncing(policy: SyncPolicy(live: true))
    /// …
    /// await client.stopSyncing()
    /// ```
    ///
    /// - Parameters:
    ///   - clock: the clock schedules are measured on (a virtual one in tests).
    ///   - random: random numbers in 0 ..< 1 for the backoff's jitter.
    public func startSyncing(policy: SyncPolicy = SyncPolicy(), clock: any SyncClock = SystemSyncClock(),
                             random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) async {
        await stopSyncing()
        let replica = self.replica
        let dependencies = SyncScheduler.Dependencies(
            sync: { [weak self] in
                // A client that is gone ends its schedule (SyncScheduler stops on CancellationError).
                guard let self else { throw CancellationError() }
                _ = try await self.sync()
            },
            waitForRemoteChanges: { [weak self] seconds in
                guard let self else { return false }
                let api = try await self.api()
                let cursor = try await replica.executor.run { try replica.syncCursor() }
                return try await api.waitForChanges(after: cursor, waitSeconds: seconds)
            },
            status: statusBroadcaster, changes: replica.changes, clock: clock, random: random,
            isGone: { [weak self] in self == nil })
        let scheduler = SyncScheduler(policy: policy, dependencies: dependencies)
        self.scheduler = scheduler
        scheduler.start()
    }

    /// Stops automatic sync; returns once the sync in flight, if any, has finished.
    public func stopSyncing() async {
        guard let scheduler else { return }
        self.scheduler = nil
        await scheduler.stop()
    }

    /// `true` while automatic sync is started.
    public var isSyncingAutomatically: Bool { scheduler != nil }

    /// Tells automatic sync that the network is reachable again (call it from `NWPathMonitor`
    /// or the platform's equivalent): it syncs at once and forgets the backoff.
    public func networkBecameReachable() {
        scheduler?.networkBecameReachable()
    }

    /// The sync status now, then every change (idle, syncing with progress, offline, error with
    /// the next retry). The stream ends when the consuming task is cancelled.
    ///
    /// ```swift
    /// for await status in client.syncStatus() { updateBanner(status) }
    /// ```
    public nonisolated func syncStatus() -> AsyncStream<SyncStatus> { statusBroadcaster.stream() }

    /// The sync status now.
    public nonisolated var currentSyncStatus: SyncStatus { statusBroadcaster.status }
}
