import Foundation
import Testing
@testable import OutpostStore

@Suite("Connections, configuration and statement cache")
struct ConnectionTests {
    @Test("File databases use WAL journal mode by default")
    func walIsActiveOnFileDatabases() throws {
        try withTemporaryDatabasePath { path in
            let queue = try DatabaseQueue(path: path)
            let mode = try queue.read { db in try db.fetchScalar(String.self, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let pool = try DatabasePool(path: path)
            let poolMode = try pool.read { db in try db.fetchScalar(String.self, sql: "PRAGMA journal_mode") }
            #expect(poolMode == "wal")
        }
    }

    @Test("Configuration applies synchronous, foreign keys and busy timeout")
    func configurationPragmas() throws {
        try withTemporaryDatabasePath { path in
            let queue = try DatabaseQueue(path: path)
            try queue.read { db throws in
                #expect(try db.fetchScalar(Int.self, sql: "PRAGMA synchronous") == 2)  // FULL
                #expect(try db.fetchScalar(Bool.self, sql: "PRAGMA foreign_keys") == true)
                #expect(try db.fetchScalar(Int.self, sql: "PRAGMA busy_timeout") == 5000)
            }
            var config = Configuration()
            config.synchronous = .normal
            config.foreignKeysEnabled = false
            config.journalMode = .delete
            config.busyTimeout = .milliseconds(250)
            let other = try DatabaseQueue(path: path + "-2", configuration: config)
            try other.read { db throws in
                #expect(try db.fetchScalar(Int.self, sql: "PRAGMA synchronous") == 1)
                #expect(try db.fetchScalar(Bool.self, sql: "PRAGMA foreign_keys") == false)
                #expect(try db.fetchScalar(Int.self, sql: "PRAGMA busy_timeout") == 250)
                #expect(try db.fetchScalar(String.self, sql: "PRAGMA journal_mode") == "delete")
            }
        }
    }

    @Test("Foreign keys are enforced by default")
    func foreignKeysEnforced() throws {
        let queue = try DatabaseQueue()
        try queue.write { db throws in
            try db.execute(sql: """
                CREATE TABLE parent(id INTEGER PRIMARY KEY);
                CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
                """)
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "INSERT INTO child(parent_id) VALUES (42)") }
        }
    }

    @Test("A readonly configuration cannot write and cannot create a missing file")
    func readonlyConfiguration() throws {
        try withTemporaryDatabasePath { path in
            var config = Configuration()
            config.readonly = true
            #expect(throws: DatabaseError.self) { _ = try DatabaseQueue(path: path, configuration: config) }
            try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE t(x)") }
            let readonly = try DatabaseQueue(path: path, configuration: config)
            do {
                try readonly.writeWithoutTransaction { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
                Issue.record("expected a readonly error")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .readonly)
            }
        }
    }

    @Test("In-memory queues are independent databases")
    func inMemoryQueuesAreIndependent() throws {
        let a = try DatabaseQueue()
        let b = try DatabaseQueue(path: ":memory:")
        try a.write { db in try db.execute(sql: "CREATE TABLE t(x)") }
        let tablesInB = try b.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM sqlite_master") }
        #expect(tablesInB == 0)
    }

    @Test("cachedStatement returns the same statement for the same SQL; makeStatement does not")
    func cachedStatementsAreReused() throws {
        let queue = try DatabaseQueue()
        try queue.write { db throws in
            try db.execute(sql: "CREATE TABLE t(x)")
            let first = try db.cachedStatement(sql: "SELECT x FROM t WHERE x = ?")
            let second = try db.cachedStatement(sql: "SELECT x FROM t WHERE x = ?")
            #expect(first === second)
            #expect(try db.makeStatement(sql: "SELECT x FROM t WHERE x = ?") !== first)

            let countBefore = db.cachedStatementCount
            for i in 0..<10 { try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [i]) }
            #expect(db.cachedStatementCount == countBefore + 1)
            let insert = try db.cachedStatement(sql: "INSERT INTO t VALUES (?)")
            try insert.execute(arguments: [10])
            #expect(db.cachedStatementCount == countBefore + 1)
            #expect(try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM t") == 11)

            db.clearStatementCache()
            #expect(db.cachedStatementCount == 0)
            #expect(try db.cachedStatement(sql: "SELECT x FROM t WHERE x = ?") !== first)
        }
    }

    @Test("A cached statement survives a schema change by re-preparing")
    func cachedStatementAfterSchemaChange() throws {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db throws in
            try db.execute(sql: "CREATE TABLE t(a)")
            try db.execute(sql: "INSERT INTO t VALUES (1)")
            #expect(try db.fetchOne(sql: "SELECT * FROM t")?.count == 1)
            try db.execute(sql: "ALTER TABLE t ADD COLUMN b")
            #expect(try db.fetchOne(sql: "SELECT * FROM t")?.columnNames == ["a", "b"])
        }
    }

    @Test("execute runs multi-statement scripts in order; makeStatement requires exactly one")
    func multiStatementScripts() throws {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db throws in
            try db.execute(sql: """
                -- leading comment
                CREATE TABLE a(x);
                INSERT INTO a VALUES (1);
                INSERT INTO a VALUES (2); -- trailing comment
                """)
            #expect(try db.fetchColumn(Int.self, sql: "SELECT x FROM a ORDER BY x") == [1, 2])
            try db.execute(sql: "INSERT INTO a VALUES (?); -- comment only", arguments: [3])
            #expect(try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM a") == 3)
            #expect(throws: DatabaseError.self) { try db.makeStatement(sql: "SELECT 1; SELECT 2") }
            #expect(throws: DatabaseError.self) { try db.makeStatement(sql: "  -- nothing ") }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO a VALUES (?); INSERT INTO a VALUES (?)", arguments: [4, 5])
            }
        }
    }

    @Test("changesCount and lastInsertedRowID reflect the last statement")
    func changeCounters() throws {
        let queue = try DatabaseQueue()
        try queue.write { db throws in
            try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, x)")
            try db.execute(sql: "INSERT INTO t(x) VALUES (1), (2), (3)")
            #expect(db.changesCount == 3)
            #expect(db.lastInsertedRowID == 3)
            try db.execute(sql: "UPDATE t SET x = 0 WHERE id > 1")
            #expect(db.changesCount == 2)
        }
    }

    @Test("A pool refuses in-memory paths")
    func poolRejectsInMemory() {
        #expect(throws: DatabaseError.self) { _ = try DatabasePool(path: ":memory:") }
    }

    @Test("prepareDatabase runs on every new connection")
    func prepareDatabaseHook() throws {
        try withTemporaryDatabasePath { path in
            var config = Configuration()
            config.prepareDatabase = { db in try db.execute(sql: "PRAGMA cache_size = -1234") }
            let pool = try DatabasePool(path: path, configuration: config)
            #expect(try pool.read { db in try db.fetchScalar(Int.self, sql: "PRAGMA cache_size") } == -1234)
            #expect(try pool.writeWithoutTransaction { db in try db.fetchScalar(Int.self, sql: "PRAGMA cache_size") } == -1234)
        }
    }
}

@Suite("Page and cache size")
struct PageAndCacheSizeTests {
    @Test func newWALDatabaseUsesTheConfiguredPageAndCacheSize() throws {
        try withTemporaryDatabasePath { path in
            var configuration = Configuration()
            configuration.pageSize = 16_384
            configuration.cacheSizeKiB = 8_192
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
            let pageSize: Int? = try queue.read { db in try db.fetchScalar(sql: "PRAGMA page_size") }
            let cacheSize: Int? = try queue.read { db in try db.fetchScalar(sql: "PRAGMA cache_size") }
            let journal: String? = try queue.read { db in try db.fetchScalar(sql: "PRAGMA journal_mode") }
            #expect(pageSize == 16_384)
            #expect(cacheSize == -8_192)
            #expect(journal == "wal")
        }
    }
}
