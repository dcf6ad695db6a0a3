import Testing
@testable import OutpostStore

@Suite("Values round-trip through SQLite")
struct DatabaseValueTests {
    private func roundTrip<V: DatabaseValueConvertible & Equatable>(_ value: V) throws -> V? {
        let queue = try DatabaseQueue()
        return try queue.write { db throws in
            try db.execute(sql: "CREATE TABLE t(v)")
            try db.execute(sql: "INSERT INTO t(v) VALUES (?)", arguments: [value])
            return try db.fetchScalar(V.self, sql: "SELECT v FROM t")
        }
    }

    @Test("Int and Int64 extremes round-trip", arguments: [Int64.min, -1, 0, 1, Int64.max])
    func integersRoundTrip(_ value: Int64) throws {
        #expect(try roundTrip(value) == value)
        #expect(try roundTrip(Int(value)) == Int(value))
    }

    @Test("Double round-trips exactly", arguments: [0.0, -0.5, 3.141592653589793, 1e300, -Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude])
    func doublesRoundTrip(_ value: Double) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test("String round-trips, including empty, unicode, and embedded NUL", arguments: [
        "", "plain", "héllo wörld", "日本語テキスト", "emoji 👩‍👩‍👧‍👦 🏳️‍🌈", "a\u{0}b", "line\nbreak\ttab", "'quotes\" and ; semicolons",
    ])
    func stringsRoundTrip(_ value: String) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test("Blobs round-trip, including empty and zero bytes", arguments: [
        [], [0], [0, 0, 0], [0, 1, 2, 0, 255, 0], (0...255).map { UInt8($0) },
    ] as [[UInt8]])
    func blobsRoundTrip(_ value: [UInt8]) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test("Empty blob is stored as a blob, not NULL; empty text as text")
    func emptyValuesAreNotNull() throws {
        let queue = try DatabaseQueue()
        try queue.write { db throws in
            try db.execute(sql: "CREATE TABLE t(b, s)")
            try db.execute(sql: "INSERT INTO t VALUES (?, ?)", arguments: [[UInt8](), ""])
            let row = try #require(try db.fetchOne(sql: "SELECT typeof(b), typeof(s), b, s FROM t"))
            #expect(row[0] as String? == "blob")
            #expect(row[1] as String? == "text")
            #expect(row[2] == .blob([]))
            #expect(row[3] == .text(""))
        }
    }

    @Test("Bool is stored as 0/1 and round-trips", arguments: [true, false])
    func boolsRoundTrip(_ value: Bool) throws {
        #expect(try roundTrip(value) == value)
        let queue = try DatabaseQueue()
        let stored = try queue.read { db in try db.fetchScalar(Int.self, sql: "SELECT ?", arguments: [value]) }
        #expect(stored == (value ? 1 : 0))
    }

    @Test("Optional nil binds NULL and decodes as nil; some binds its value")
    func optionalsRoundTrip() throws {
        let queue = try DatabaseQueue()
        try queue.write { db throws in
            try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v)")
            let none: String? = nil
            let some: String? = "x"
            try db.execute(sql: "INSERT INTO t(id, v) VALUES (1, ?), (2, ?)", arguments: [none, some])
            let rows = try db.fetchAll(sql: "SELECT v FROM t ORDER BY id")
            #expect(rows.map { $0[0] } == [.null, .text("x")])
            #expect(rows[0][0] as String? == nil)
            #expect(rows[1][0] as String? == "x")
            #expect(String?.fromDatabaseValue(.null) == .some(.none))
            #expect(String?.fromDatabaseValue(.integer(1)) == nil)
        }
    }

    @Test("DatabaseValue cases round-trip through Statement.value(at:)")
    func databaseValuesRoundTrip() throws {
        let values: [DatabaseValue] = [.null, .integer(-7), .real(2.5), .text("ü\u{0}"), .blob([0, 9, 0])]
        let queue = try DatabaseQueue()
        let fetched = try queue.read { db throws in
            try db.fetchOne(sql: "SELECT ?, ?, ?, ?, ?", arguments: StatementArguments(values))
        }
        #expect(fetched?.values == values)
    }

    @Test("Typed statement binds and column accessors agree")
    func statementTypedAccess() throws {
        let queue = try DatabaseQueue()
        try queue.read { db throws in
            let statement = try db.makeStatement(sql: "SELECT ?, ?, ?, ?, ?")
            try statement.bind(Int64(42), at: 1)
            try statement.bind(1.25, at: 2)
            try statement.bind("naïve", at: 3)
            try statement.bind([UInt8]([1, 0, 2]), at: 4)
            try statement.bindNull(at: 5)
            #expect(try statement.step())
            #expect(statement.int64(at: 0) == 42)
            #expect(statement.double(at: 1) == 1.25)
            #expect(statement.text(at: 2) == "naïve")
            #expect(statement.blob(at: 3) == [1, 0, 2])
            #expect(statement.withUnsafeBlob(at: 3) { $0.count } == 3)
            #expect(statement.isNull(at: 4))
            #expect(!statement.isNull(at: 0))
            #expect(try !statement.step())
        }
    }

    @Test("Row looks up columns by name, case-insensitively, and by index")
    func rowLookup() throws {
        let queue = try DatabaseQueue()
        let row = try queue.read { db in try db.fetchOne(sql: "SELECT 1 AS id, 'Ada' AS Name") }
        let unwrapped = try #require(row)
        #expect(unwrapped["id"] as Int? == 1)
        #expect(unwrapped["name"] as String? == "Ada")
        #expect(unwrapped["Name"] == .text("Ada"))
        #expect(unwrapped["missing"] == nil)
        #expect(unwrapped[1] as String? == "Ada")
        #expect(unwrapped[0] as String? == nil)  // wrong type decodes as nil
        #expect(unwrapped.columnNames == ["id", "Name"])
    }

    @Test("Wrong argument count is a misuse error, not a silent NULL")
    func argumentCountIsChecked() throws {
        let queue = try DatabaseQueue()
        #expect(throws: DatabaseError.self) {
            try queue.read { db in try db.fetchAll(sql: "SELECT ?, ?", arguments: [1]) }
        }
        do {
            _ = try queue.read { db in try db.fetchAll(sql: "SELECT ?", arguments: []) }
            Issue.record("expected an error")
        } catch let error as DatabaseError {
            #expect(error.resultCode == .misuse)
        }
    }
}
