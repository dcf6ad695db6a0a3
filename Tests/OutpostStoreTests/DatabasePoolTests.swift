import Dispatch
import Foundation
import Testing
@testable import OutpostStore

/// Generous deadlock guard so a broken pool fails the test instead of hanging it.
/// Not a timing assertion: correct code never gets near it.
private let deadlockGuard = DispatchTime.now() + .seconds(60)

@Suite("DatabasePool")
struct DatabasePoolTests {
    private func makePool(_ path: String, readers: Int = 4) throws -> DatabasePool {
        var config = Configuration()
        config.maximumReaderCount = readers
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db throws in
            try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
            try db.execute(sql: "INSERT INTO t(v) VALUES ('first')")
        }
        return pool
    }

    @Test("A reader keeps a consistent snapshot while the writer commits")
    func readerSeesConsistentSnapshot() throws {
        try withTemporaryDatabasePath { path in
            let pool = try makePool(path)
            let readerHasSnapshot = DispatchSemaphore(value: 0)
            let writerCommitted = DispatchSemaphore(value: 0)
            let counts = LockedBox<[Int]>([])
            let readerError = LockedBox<String?>(nil)
            let group = DispatchGroup()

            DispatchQueue.global().async(group: group) {
                do {
                    try pool.read { db throws in
                        let before = try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") ?? -1
                        readerHasSnapshot.signal()
                        _ = writerCommitted.wait(timeout: deadlockGuard)
                        let after = try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") ?? -1
                        counts.value = [before, after]
                    }
                } catch {
                    readerError.value = "\(error)"
                }
            }

            #expect(readerHasSnapshot.wait(timeout: deadlockGuard) == .success)
            // The writer is not blocked by the open read transaction (WAL).
            try pool.write { db throws in
                try db.execute(sql: "INSERT INTO t(v) VALUES ('second')")
                try db.execute(sql: "UPDATE t SET v = 'changed'")
            }
            writerCommitted.signal()
            #expect(group.wait(timeout: deadlockGuard) == .success)

            #expect(readerError.value == nil)
            #expect(counts.value == [1, 1])
            let latest = try pool.read { db in try db.fetchColumn(String.self, sql: "SELECT v FROM t ORDER BY id") }
            #expect(latest == ["changed", "changed"])
        }
    }

    @Test("Reads run concurrently on separate reader connections")
    func readsRunConcurrently() throws {
        try withTemporaryDatabasePath { path in
            let pool = try makePool(path, readers: 2)
            // Each read waits inside its closure for the other one: this only
            // completes if both reads are in progress at the same time.
            let arrived = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
            let results = LockedBox<[Int: String]>([:])
            let group = DispatchGroup()
            for index in 0..<2 {
                DispatchQueue.global().async(group: group) {
                    let value = try? pool.read { db -> String? in
                        arrived[index].signal()
                        guard arrived[1 - index].wait(timeout: deadlockGuard) == .success else { return nil }
                        arrived[1 - index].signal()  // leave the token for nobody else; harmless
                        return try db.fetchScalar(String.self, sql: "SELECT v FROM t")
                    }
                    results.mutate { $0[index] = value ?? nil }
                }
            }
            #expect(group.wait(timeout: deadlockGuard) == .success)
            #expect(results.value == [0: "first", 1: "first"])
        }
    }

    @Test("Pool reads are read-only and writes go through the writer")
    func readsCannotWrite() throws {
        try withTemporaryDatabasePath { path in
            let pool = try makePool(path)
            do {
                try pool.read { db in try db.execute(sql: "INSERT INTO t(v) VALUES ('nope')") }
                Issue.record("expected a readonly error")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .readonly)
            }
            #expect(try pool.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") } == 1)
        }
    }

    @Test("A failed pool write rolls back")
    func failedPoolWriteRollsBack() throws {
        struct Failure: Error {}
        try withTemporaryDatabasePath { path in
            let pool = try makePool(path)
            #expect(throws: Failure.self) {
                try pool.write { db throws in
                    try db.execute(sql: "DELETE FROM t")
                    throw Failure()
                }
            }
            #expect(try pool.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") } == 1)
        }
    }

    @Test("Many concurrent readers and a writer share a pool with fewer connections")
    func concurrentAccess() throws {
        try withTemporaryDatabasePath { path in
            let pool = try makePool(path, readers: 2)
            let failures = LockedBox(0)
            DispatchQueue.concurrentPerform(iterations: 40) { i in
                do {
                    if i % 4 == 0 {
                        try pool.write { db in try db.execute(sql: "INSERT INTO t(v) VALUES (?)", arguments: ["w\(i)"]) }
                    } else {
                        let count = try pool.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") } ?? 0
                        if count < 1 { failures.mutate { $0 += 1 } }
                    }
                } catch {
                    failures.mutate { $0 += 1 }
                }
            }
            #expect(failures.value == 0)
            #expect(try pool.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") } == 11)
        }
    }
}
