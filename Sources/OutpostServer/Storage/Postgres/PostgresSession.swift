#if PostgreSQL
import CLibPQ
import OutpostStore

/// A PostgreSQL connection inside a transaction of ``PostgresServerStorage``.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection

    var dialect: SQLDialect { .postgres }

    func execute(sql: String, arguments: StatementArguments) throws {
        PQclear(try connection.query(sql, arguments))
    }

    func fetchAll(sql: String, arguments: StatementArguments) throws -> [Row] {
        let result = try connection.query(sql, arguments)
        defer { PQclear(result) }
        let columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
        return (0..<Int(PQntuples(result))).map { row in
            Row(columnNames: columns, values: (0..<columns.count).map { PostgresRowCursor(result: result, row: Int32(row)).value(at: $0) })
        }
    }

    func fetchOne(sql: String, arguments: StatementArguments) throws -> Row? {
        try fetchAll(sql: sql, arguments: arguments).first
    }

    func fetchScalar<Value: DatabaseValueConvertible>(_ type: Value.Type, sql: String, arguments: StatementArguments) throws -> Value? {
        let result = try connection.query(sql, arguments)
        defer { PQclear(result) }
        guard PQntuples(result) > 0, PQnfields(result) > 0 else { return nil }
        return Value.fromDatabaseValue(PostgresRowCursor(result: result, row: 0).value(at: 0))
    }

    func fetchColumn<Value: DatabaseValueConvertible>(_ type: Value.Type, sql: String, arguments: StatementArguments) throws -> [Value] {
        let result = try connection.query(sql, arguments)
        defer { PQclear(result) }
        return try (0..<PQntuples(result)).map { row in
            let value = PostgresRowCursor(result: result, row: row).value(at: 0)
            guard let decoded = Value.fromDatabaseValue(value) else {
                throw ServerStorageError.statementFailed(sqlState: "-", message: "cannot decode \(value) as \(Value.self)", sql: sql)
            }
            return decoded
        }
    }

    var isInsideTransaction: Bool { connection.isInsideTransaction }

    func savepoint<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try connection.run("SAVEPOINT outpost_group")
        do {
            let value = try body(self)
            try connection.run("RELEASE SAVEPOINT outpost_group")
            return value
        } catch {
            try? connection.run("ROLLBACK TO SAVEPOINT outpost_group; RELEASE SAVEPOINT outpost_group")
            throw error
        }
    }

    func forEachRow(sql: String, arguments: StatementArguments, _ body: (any SQLRowCursor) throws -> Void) throws {
        let result = try connection.query(sql, arguments)
        defer { PQclear(result) }
        for row in 0..<PQntuples(result) { try body(PostgresRowCursor(result: result, row: row)) }
    }
}

/// One row of a libpq result (text format), converted by column type.
struct PostgresRowCursor: SQLRowCursor {
    let result: OpaquePointer
    let row: Int32

    // Type OIDs (pg_type.h).
    private static let integerTypes: Set<UInt32> = [20, 21, 23, 26]
    private static let realTypes: Set<UInt32> = [700, 701]
    private static let booleanType: UInt32 = 16
    private static let byteaType: UInt32 = 17
    private static let numericType: UInt32 = 1700

    func isNull(at index: Int) -> Bool { PQgetisnull(result, row, Int32(index)) != 0 }

    func int64(at index: Int) -> Int64 {
        guard !isNull(at: index) else { return 0 }
        return Int64(text(at: index)) ?? 0
    }

    func text(at index: Int) -> String {
        withUnsafeBlob(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    func withUnsafeBlob<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let pointer = PQgetvalue(result, row, Int32(index))
        let count = Int(PQgetlength(result, row, Int32(index)))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// Column `index` as the value SQLite would have given.
    func value(at index: Int) -> DatabaseValue {
        guard !isNull(at: index) else { return .null }
        let type = PQftype(result, Int32(index))
        let text = text(at: index)
        if Self.integerTypes.contains(type) { return Int64(text).map(DatabaseValue.integer) ?? .text(text) }
        if Self.realTypes.contains(type) { return Double(text).map(DatabaseValue.real) ?? .text(text) }
        if type == Self.numericType { return Int64(text).map(DatabaseValue.integer) ?? Double(text).map(DatabaseValue.real) ?? .text(text) }
        if type == Self.booleanType { return .integer(text == "t" ? 1 : 0) }
        if type == Self.byteaType { return .blob(Self.decodeHex(text)) }
        return .text(text)
    }

    /// The bytes of a `bytea` in PostgreSQL's hex output (`\x0aff…`).
    static func decodeHex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8.dropFirst(2))
        func nibble(_ byte: UInt8) -> UInt8 { byte <= 57 ? byte - 48 : (byte | 0x20) - 87 }
        return stride(from: 0, to: digits.count - 1, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }
}
#endif
