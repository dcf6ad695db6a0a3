import Foundation

/// A connection whose every use is serialized by a lock. Non-reentrant:
/// using it again from inside its own closure is a programming error and
/// traps with a clear message instead of deadlocking.
final class SerializedDatabase: @unchecked Sendable {
    // Safety: `database` is only touched inside `sync`, under `lock`.
    private let database: Database
    private let lock = NSLock()
    private let ownerLock = NSLock()
    private var owner: pthread_t?  // guarded by ownerLock

    init(_ database: Database) {
        self.database = database
    }

    func sync<T>(_ body: (Database) throws -> T) rethrows -> T {
        let me = pthread_self()
        let isReentrant = ownerLock.withLock { owner.map { pthread_equal($0, me) != 0 } ?? false }
        precondition(!isReentrant, "Database access is not reentrant: don't call read/write from inside a read/write closure of the same DatabaseQueue or pool writer")
        lock.lock()
        ownerLock.withLock { owner = me }
        defer {
            ownerLock.withLock { owner = nil }
            lock.unlock()
        }
        return try body(database)
    }
}
