import Testing
@testable import OutpostStore

@Suite("DatabaseError")
struct DatabaseErrorTests {
    @Test("A UNIQUE violation carries the constraint codes, SQLite's message and the SQL")
    func constraintViolation() throws {
        let queue = try DatabaseQueue()
        try queue.write { db throws in
            try db.execute(sql: "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
            try db.execute(sql: "INSERT INTO users(name) VALUES (?)", arguments: ["ada"])
        }
        let sql = "INSERT INTO users(name) VALUES (?)"
        do {
            try queue.write { db in try db.execute(sql: sql, arguments: ["ada"]) }
            Issue.record("expected a constraint error")
        } catch let error as DatabaseError where error.resultCode == .constraint {
            #expect(error.extendedResultCode == .constraintUnique)
            #expect(error.message == "UNIQUE constraint failed: users.name")
            #expect(error.sql == sql)
            #expect(error.description == "SQLite error 19 (constraint failed): UNIQUE constraint failed: users.name — while executing `\(sql)`")
        }
    }

    @Test("Result codes pattern-match in catch clauses by primary and extended code")
    func codePatternMatching() throws {
        let queue = try DatabaseQueue()
        func insertNull() throws {
            try queue.write { db throws in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS t(v NOT NULL)")
                try db.execute(sql: "INSERT INTO t VALUES (NULL)")
            }
        }
        var matchedPrimary = false
        do { try insertNull() } catch DatabaseError.Code.constraint { matchedPrimary = true }
        #expect(matchedPrimary)
        var matchedExtended = false
        do { try insertNull() } catch DatabaseError.Code.constraintNotNull { matchedExtended = true }
        #expect(matchedExtended)
        #expect(!(DatabaseError.Code.constraintUnique ~= DatabaseError(code: .constraintNotNull)))
    }

    @Test("A syntax error carries SQLITE_ERROR, the message and the SQL")
    func syntaxError() throws {
        let queue = try DatabaseQueue()
        let sql = "SELEC * FROM nowhere"
        do {
            _ = try queue.read { db in try db.fetchAll(sql: sql) }
            Issue.record("expected a syntax error")
        } catch let error as DatabaseError {
            #expect(error.resultCode == .error)
            #expect(error.message?.contains("syntax error") == true)
            #expect(error.sql == sql)
            #expect(error.description.hasPrefix("SQLite error 1 (SQL logic error): near \"SELEC\": syntax error"))
        }
    }

    @Test("An error in a multi-statement script reports SQL starting at the failing statement")
    func multiStatementErrorNamesStatement() throws {
        let queue = try DatabaseQueue()
        do {
            try queue.writeWithoutTransaction { db throws in
                try db.execute(sql: "CREATE TABLE a(x); INSERT INTO missing VALUES (1); CREATE TABLE b(x)")
            }
            Issue.record("expected an error")
        } catch let error as DatabaseError {
            #expect(error.message == "no such table: missing")
            #expect(error.sql?.hasPrefix("INSERT INTO missing VALUES (1)") == true)
        }
        let tables = try queue.read { db throws in
            try db.fetchColumn(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(tables == ["a"])
    }
}
