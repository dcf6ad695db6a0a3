import Foundation
import OutpostClient

/// A ``SyncClock`` that only moves when a test moves it, so schedules (debounce, periodic syncs,
/// backoff) are checked exactly and instantly.
///
/// ```swift
/// let clock = VirtualSyncClock()
/// await client.startSyncing(policy: policy, clock: clock)
/// let deadline = await clock.nextSleep()      // the scheduler is now waiting until `deadline`
/// clock.advance(to: deadline)                 // … and wakes
/// ```
public final class VirtualSyncClock: SyncClock, @unchecked Sendable {
    // Safety: everything below is only touched with `lock` held.
    private let lock = NSLock()
    private var current: Duration = .zero
    private var sleepers: [UInt64: (deadline: Duration, continuation: CheckedContinuation<Void, any Error>)] = [:]
    private var watchers: [CheckedContinuation<Void, Never>] = []
    private var nextID: UInt64 = 0

    /// A clock at time zero.
    public init() {}

    public var now: Duration { lock.withLock { current } }

    public func sleep(until deadline: Duration) async throws {
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, woken) = lock.withLock { () -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if Task.isCancelled || deadline <= current { return (true, []) }
                    sleepers[id] = (deadline, continuation)
                    defer { watchers.removeAll() }
                    return (false, watchers)
                }
                if resumeNow { continuation.resume() }
                for watcher in woken { watcher.resume() }
            }
        } onCancel: {
            let sleeper = lock.withLock { sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves the clock to `time` (never backwards) and wakes the sleepers whose deadline passed.
    public func advance(to time: Duration) {
        let due = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            current = max(current, time)
            let ready = sleepers.filter { $0.value.deadline <= current }
            for id in ready.keys { sleepers.removeValue(forKey: id) }
            return ready.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) { advance(to: now + duration) }

    /// The deadlines of the tasks sleeping now, earliest first.
    public var sleepingUntil: [Duration] { lock.withLock { sleepers.values.map(\.deadline).sorted() } }

    /// A mark for ``nextSleep(after:)``: sleeps begun so far.
    public var mark: UInt64 { lock.withLock { nextID } }

    /// Waits until a task begins a sleep on this clock after `mark` (default: any sleeping task
    /// counts); returns the earliest deadline among those sleeps.
    ///
    /// ```swift
    /// let mark = clock.mark
    /// try await client.create(…)                  // the scheduler re-plans…
    /// let deadline = await clock.nextSleep(after: mark)
    /// ```
    public func nextSleep(after mark: UInt64 = 0) async -> Duration {
        while true {
            await withCheckedContinuation { (watcher: CheckedContinuation<Void, Never>) in
                let ready = lock.withLock { () -> Bool in
                    if sleepers.keys.contains(where: { $0 > mark }) { return true }
                    watchers.append(watcher)
                    return false
                }
                if ready { watcher.resume() }
            }
            if let earliest = lock.withLock({ sleepers.filter { $0.key > mark }.map(\.value.deadline).min() }) { return earliest }
        }
    }
}
