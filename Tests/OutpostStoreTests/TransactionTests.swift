import Testing
@testable import OutpostStore

private struct TestFailure: Error {}

@Suite("Transactions and savepoints")
struct TransactionTests {
    private func makeQueue() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db throws in
            try db.execute(sql: "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        }
        return queue
    }

    private func names(_ queue: DatabaseQueue) throws -> [String] {
        try queue.read { db in try db.fetchColumn(String.self, sql: "SELECT name FROM items ORDER BY id") }
    }

    @Test("A transaction whose body returns is committed")
    func successfulTransactionCommits() throws {
        let queue = try makeQueue()
        let result = try queue.write { db throws in
            #expect(db.isInsideTransaction)
            try db.execute(sql: "INSERT INTO items(name) VALUES (?)", arguments: ["a"])
            try db.execute(sql: "INSERT INTO items(name) VALUES (?)", arguments: ["b"])
            return db.lastInsertedRowID
        }
        #expect(result == 2)
        #expect(try names(queue) == ["a", "b"])
        try queue.writeWithoutTransaction { db in #expect(!db.isInsideTransaction) }
    }

    @Test("A thrown error rolls the whole transaction back and is rethrown")
    func thrownErrorRollsBack() throws {
        let queue = try makeQueue()
        #expect(throws: TestFailure.self) {
            try queue.write { db throws in
                try db.execute(sql: "INSERT INTO items(name) VALUES (?)", arguments: ["a"])
                try db.execute(sql: "INSERT INTO items(name) VALUES (?)", arguments: ["b"])
                throw TestFailure()
            }
        }
        #expect(try names(queue) == [])
        try queue.writeWithoutTransaction { db in #expect(!db.isInsideTransaction) }
    }

    @Test("An SQLite error inside a transaction rolls back earlier statements")
    func sqliteErrorRollsBack() throws {
        let queue = try makeQueue()
        #expect(throws: DatabaseError.self) {
            try queue.write { db throws in
                try db.execute(sql: "INSERT INTO items(name) VALUES ('a')")
                try db.execute(sql: "INSERT INTO items(name) VALUES ('a')")  // UNIQUE violation
            }
        }
        #expect(try names(queue) == [])
    }

    @Test("Rolling back a nested savepoint keeps the outer transaction's changes")
    func nestedSavepointRollback() throws {
        let queue = try makeQueue()
        try queue.write { db throws in
            try db.execute(sql: "INSERT INTO items(name) VALUES ('outer')")
            try db.inSavepoint { db throws in
                try db.execute(sql: "INSERT INTO items(name) VALUES ('kept')")
                #expect(throws: TestFailure.self) {
                    try db.inSavepoint { db throws in
                        try db.execute(sql: "INSERT INTO items(name) VALUES ('undone')")
                        throw TestFailure()
                    }
                }
                #expect(db.isInsideTransaction)
            }
        }
        #expect(try names(queue) == ["outer", "kept"])
    }

    @Test("A failing outer transaction also discards released savepoints")
    func releasedSavepointDiscardedWithOuterRollback() throws {
        let queue = try makeQueue()
        #expect(throws: TestFailure.self) {
            try queue.write { db throws in
                try db.inSavepoint { db in try db.execute(sql: "INSERT INTO items(name) VALUES ('inner')") }
                throw TestFailure()
            }
        }
        #expect(try names(queue) == [])
    }

    @Test("A savepoint outside a transaction commits on success and rolls back on error")
    func savepointOutsideTransaction() throws {
        let queue = try makeQueue()
        try queue.writeWithoutTransaction { db throws in
            try db.inSavepoint { db in try db.execute(sql: "INSERT INTO items(name) VALUES ('x')") }
            #expect(!db.isInsideTransaction)
            #expect(throws: TestFailure.self) {
                try db.inSavepoint { db throws in
                    try db.execute(sql: "INSERT INTO items(name) VALUES ('y')")
                    throw TestFailure()
                }
            }
            #expect(!db.isInsideTransaction)
        }
        #expect(try names(queue) == ["x"])
    }

    @Test("inTransaction inside a transaction throws instead of nesting silently")
    func nestedTransactionIsRejected() throws {
        let queue = try makeQueue()
        try queue.write { db throws in
            #expect(throws: DatabaseError.self) {
                try db.inTransaction { _ in }
            }
            #expect(db.isInsideTransaction)
        }
    }

    @Test("A queue read cannot write")
    func queueReadIsReadOnly() throws {
        let queue = try makeQueue()
        do {
            try queue.read { db in try db.execute(sql: "INSERT INTO items(name) VALUES ('nope')") }
            Issue.record("expected a readonly error")
        } catch let error as DatabaseError {
            #expect(error.resultCode == .readonly)
        }
        try queue.write { db in try db.execute(sql: "INSERT INTO items(name) VALUES ('yes')") }
        #expect(try names(queue) == ["yes"])
    }

    @Test("100,000 inserts in one transaction are all stored")
    func bulkInsert() throws {
        try withTemporaryDatabasePath { path in
            let queue = try DatabaseQueue(path: path)
            try queue.write { db throws in
                try db.execute(sql: "CREATE TABLE bulk(id INTEGER PRIMARY KEY, name TEXT, payload BLOB, score REAL)")
            }
            let payload: [UInt8] = Array(repeating: 7, count: 32)
            try queue.write { db throws in
                let insert = try db.cachedStatement(sql: "INSERT INTO bulk(id, name, payload, score) VALUES (?, ?, ?, ?)")
                for i in 0..<100_000 {
                    insert.reset()
                    try insert.bind(i, at: 1)
                    try insert.bind("name-\(i)", at: 2)
                    try insert.bind(payload, at: 3)
                    try insert.bind(Double(i) / 2, at: 4)
                    _ = try insert.step()
                }
                for i in 0..<100_000 {
                    try db.execute(sql: "UPDATE bulk SET score = ? WHERE id = ?", arguments: [Double(i), i])
                }
            }
            let count = try queue.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM bulk") }
            let sum = try queue.read { db in try db.fetchScalar(Double.self, sql: "SELECT SUM(score) FROM bulk") }
            #expect(count == 100_000)
            #expect(sum == Double(99_999 * 100_000 / 2))
        }
    }
}
