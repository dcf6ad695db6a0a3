import Foundation
import OutpostModel

/// What one committed write transaction of a replica changed: the entity types of the records
/// it inserted, updated or deleted, and whether the outbox of unsent edits grew or shrank.
/// Delivered to ``ReplicaChangeNotifier`` subscribers after the commit, from every write path
/// (local edits, conflict resolution, pulled pages, recovery, re-scoping, imports, repairs).
///
/// ```swift
/// let token = replica.changes.subscribe { change in
///     if change.entityTypes.contains(.customer) { print("customers changed") }
/// }
/// ```
public struct ReplicaChange: Sendable, Hashable {
    /// Entity types of the records the transaction wrote.
    public var entityTypes: Set<EntityType>
    /// `true` when the outbox of unsent edits changed (an edit queued, or records sent).
    public var outboxChanged: Bool
    /// `true` when local edits were queued for the server (what automatic sync waits for).
    public var editsQueued: Bool

    /// Creates a change.
    public init(entityTypes: Set<EntityType> = [], outboxChanged: Bool = false, editsQueued: Bool = false) {
        self.entityTypes = entityTypes
        self.outboxChanged = outboxChanged || editsQueued
        self.editsQueued = editsQueued
    }

    /// `true` when nothing observable changed.
    public var isEmpty: Bool { entityTypes.isEmpty && !outboxChanged }
}

/// Calls its subscribers after each committed replica write that changed records or the outbox.
/// Handlers run synchronously on the writing thread, after the commit and outside the database
/// lock: they must be quick (signal something, do not query here).
///
/// ```swift
/// let token = replica.changes.subscribe { change in signal.raise() }
/// defer { replica.changes.unsubscribe(token) }
/// ```
public final class ReplicaChangeNotifier: @unchecked Sendable {
    // Safety: `handlers` and `nextToken` are only touched with `lock` held.
    private let lock = NSLock()
    private var handlers: [UInt64: @Sendable (ReplicaChange) -> Void] = [:]
    private var nextToken: UInt64 = 0

    init() {}

    /// A subscription, for ``unsubscribe(_:)``.
    public struct Token: Sendable, Hashable {
        let value: UInt64
    }

    /// Calls `handler` after every committed change from now on.
    public func subscribe(_ handler: @escaping @Sendable (ReplicaChange) -> Void) -> Token {
        lock.withLock {
            nextToken += 1
            handlers[nextToken] = handler
            return Token(value: nextToken)
        }
    }

    /// Stops calling the handler of `token`.
    public func unsubscribe(_ token: Token) {
        _ = lock.withLock { handlers.removeValue(forKey: token.value) }
    }

    /// The number of subscribers (for tests and diagnostics).
    public var subscriberCount: Int { lock.withLock { handlers.count } }

    func notify(_ change: ReplicaChange) {
        guard !change.isEmpty else { return }
        let current = lock.withLock { Array(handlers.values) }
        for handler in current { handler(change) }
    }
}
