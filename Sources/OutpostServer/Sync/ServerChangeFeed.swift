import Foundation

/// Tells listeners in this process that record changes were committed (pushes, reassignments,
/// merges from upstream), so pulls held open (``PullWaiters``) look again at once. Changes
/// committed by another server process sharing the database are not announced here: waiting
/// pulls also look again periodically.
///
/// ```swift
/// let token = database.changeFeed.subscribe { waiters.recheckAll() }
/// ```
public final class ServerChangeFeed: @unchecked Sendable {
    // Safety: `handlers` and `next` are only touched with `lock` held.
    private let lock = NSLock()
    private var handlers: [UInt64: @Sendable () -> Void] = [:]
    private var next: UInt64 = 0

    /// An empty feed.
    public init() {}

    /// Calls `handler` after each committed change (or write attempt that may have changed
    /// records); returns a token for ``unsubscribe(_:)``. Handlers must be quick.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable () -> Void) -> UInt64 {
        lock.withLock {
            next += 1
            handlers[next] = handler
            return next
        }
    }

    /// Stops calling the handler of `token`.
    public func unsubscribe(_ token: UInt64) { _ = lock.withLock { handlers.removeValue(forKey: token) } }

    /// Announces that record changes were committed.
    public func committed() {
        for handler in lock.withLock({ Array(handlers.values) }) { handler() }
    }
}
