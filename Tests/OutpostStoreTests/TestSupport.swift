import Foundation
@testable import OutpostStore

/// Runs `body` with a unique database file path in a fresh temporary
/// directory, removed afterwards (with its -wal/-shm files).
func withTemporaryDatabasePath<T>(_ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("outpost-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.appendingPathComponent("test.sqlite").path)
}

/// A value shared between threads under a lock, for cross-thread test results.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: Value
    init(_ value: Value) { storage = value }
    var value: Value {
        get { lock.withLock { storage } }
        set { lock.withLock { storage = newValue } }
    }
    /// Changes the value atomically (a `value[...] = ` through the accessors is a read, then a
    /// separate write, and loses concurrent updates).
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&storage) } }
}
