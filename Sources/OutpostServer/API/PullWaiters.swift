import Dispatch
import Foundation
import OutpostHTTP

/// Pulls held open until there is something to pull (long-poll, SPEC §9.3), without a thread
/// per waiting request: each is a deferred HTTP response (``HTTPResponsePromise``) kept here
/// with a probe ("is there news for this caller?") and an answer (the pull page, or the error
/// the pull now gets).
///
/// Held pulls are looked at again on one serial queue:
/// - at once when this process commits record changes (``ServerDatabase/changeFeed``);
/// - every ``recheckInterval`` while any are held, so changes committed by another server
///   process sharing the database (or by any path that does not announce) are seen too;
/// - when their time is up (answered with the empty page, which the client takes as "nothing new");
/// - when the server shuts down (answered at once).
///
/// Only news in the caller's scope answers a held pull: the probe is the pull's own scope
/// query, so a change to a record the caller may not read leaves it waiting. At most
/// ``capacity`` pulls are held; beyond that a pull is answered at once (not held).
public final class PullWaiters: @unchecked Sendable {
    // Safety: `waiters`, `nextID` and `timer` are only touched on `queue`; `count` under `condition`.

    /// A held pull.
    struct Waiter {
        let promise: HTTPResponsePromise
        let deadline: ContinuousClock.Instant
        /// `true` when the pull would find something now (or throws: answer with the error).
        let probe: @Sendable () throws -> Bool
        /// The response to send: the page (possibly empty), or an error.
        let answer: @Sendable () -> HTTPResponse
    }

    /// How often held pulls are looked at without an announcement.
    public let recheckInterval: DispatchTimeInterval
    /// The most pulls held at once.
    public let capacity: Int
    private let queue = DispatchQueue(label: "outpost.pull-waiters")
    private var waiters: [UInt64: Waiter] = [:]
    private var nextID: UInt64 = 0
    private var timer: DispatchSourceTimer?
    private let condition = NSCondition()
    private var count = 0

    /// Holds pulls of the database announcing on `feed`.
    public init(feed: ServerChangeFeed, capacity: Int = 5_000, recheckInterval: DispatchTimeInterval = .seconds(1)) {
        self.capacity = max(0, capacity)
        self.recheckInterval = recheckInterval
        feed.subscribe { [weak self] in self?.recheckAll() }
    }

    /// The number of pulls held now.
    public var heldCount: Int { condition.withLock { count } }

    /// Waits until `predicate` holds for the number of held pulls, at most `timeout`; `false` on
    /// timeout. For tests and tools that wait for an observable state instead of sleeping.
    ///
    /// ```swift
    /// _ = server.heldPulls.waitUntil(timeout: .seconds(5)) { $0 == 1 }
    /// ```
    public func waitUntil(timeout: Duration, _ predicate: (Int) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !predicate(count) {
            if !condition.wait(until: deadline) { return predicate(count) }
        }
        return true
    }

    /// Returns once every announcement made so far has been looked at (a barrier on the queue).
    public func settle() {
        queue.sync {}
    }

    private func changeCount(by delta: Int) {
        condition.lock()
        count += delta
        condition.broadcast()
        condition.unlock()
    }

    /// Holds a pull until `probe` finds news or `deadline` passes; `nil` when at capacity (answer now instead).
    public func hold(until deadline: ContinuousClock.Instant, probe: @escaping @Sendable () throws -> Bool,
              answer: @escaping @Sendable () -> HTTPResponse) -> HTTPResponse? {
        let admitted = condition.withLock { () -> Bool in
            guard count < capacity else { return false }
            return true
        }
        guard admitted else { return nil }
        return .deferred { [self] promise in
            queue.async { [self] in
                nextID += 1
                let id = nextID
                waiters[id] = Waiter(promise: promise, deadline: deadline, probe: probe, answer: answer)
                changeCount(by: 1)
                let queue = self.queue
                promise.onShutdown { [weak self] in
                    queue.async { [weak self] in self?.answer(id) }
                }
                // Answered on time even between rechecks.
                let wait = ContinuousClock.now.duration(to: deadline)
                let nanoseconds = max(0, wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000)
                queue.asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [weak self] in self?.check(id) }
                // A change committed between the caller's first probe and now is not missed.
                check(id)
                scheduleTimer()
            }
        }
    }

    /// Looks at every held pull now (after a commit in this process).
    public func recheckAll() {
        queue.async { [self] in
            for id in Array(waiters.keys) { check(id) }
        }
    }

    /// On `queue`: answers the pull if it has news or its time is up.
    private func check(_ id: UInt64) {
        guard let waiter = waiters[id] else { return }
        let ready: Bool
        do {
            ready = try waiter.probe() || ContinuousClock.now >= waiter.deadline
        } catch {
            ready = true
        }
        if ready { answer(id) }
    }

    /// On `queue`: answers and forgets the pull.
    private func answer(_ id: UInt64) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        changeCount(by: -1)
        waiter.promise.succeed(waiter.answer())
        if waiters.isEmpty {
            timer?.cancel()
            timer = nil
        }
    }

    /// On `queue`: while pulls are held, look at them every `recheckInterval` (deadlines included).
    private func scheduleTimer() {
        guard timer == nil, !waiters.isEmpty else { return }
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + recheckInterval, repeating: recheckInterval, leeway: .milliseconds(50))
        source.setEventHandler { [weak self] in
            guard let self else { return }
            for id in Array(self.waiters.keys) { self.check(id) }
        }
        timer = source
        source.resume()
    }
}
