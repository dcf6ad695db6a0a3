import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies bound text/blob bytes before the bind call returns.
@inline(__always)
private var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A prepared SQLite statement (`sqlite3_stmt`).
///
/// Like ``Database``, a statement is not thread-safe: use it only inside the
/// queue or pool closure that produced its database. Parameter indexes are
/// 1-based and column indexes 0-based, as in SQLite's C API.
///
/// The fast path for bulk writes binds typed values directly:
///
/// ```swift
/// try queue.write { db in
///     let insert = try db.cachedStatement(sql: "INSERT INTO items(id, name) VALUES (?, ?)")
///     for (id, name) in items {
///         insert.reset()
///         try insert.bind(id, at: 1)
///         try insert.bind(name, at: 2)
///         _ = try insert.step()
///     }
/// }
/// ```
public final class Statement {
    /// The underlying `sqlite3_stmt*`, for C API calls this wrapper doesn't cover.
    ///
    /// ```swift
    /// let readonly = sqlite3_stmt_readonly(statement.sqliteStatement) != 0
    /// ```
    public let sqliteStatement: OpaquePointer

    /// The SQL this statement was prepared from.
    ///
    /// ```swift
    /// print(statement.sql)
    /// ```
    public let sql: String

    /// The number of `?` parameters.
    ///
    /// ```swift
    /// try db.makeStatement(sql: "SELECT ?, ?").parameterCount  // 2
    /// ```
    public let parameterCount: Int

    init(handle: OpaquePointer, sql: String) {
        self.sqliteStatement = handle
        self.sql = sql
        self.parameterCount = Int(sqlite3_bind_parameter_count(handle))
    }

    deinit {
        sqlite3_finalize(sqliteStatement)
    }

    private var connection: OpaquePointer? { sqlite3_db_handle(sqliteStatement) }

    @inline(__always)
    private func check(_ resultCode: Int32) throws {
        if resultCode != SQLITE_OK {
            throw DatabaseError(resultCode: resultCode, connection: connection, sql: sql)
        }
    }

    // MARK: - Metadata

    /// The number of result columns (0 for statements that return no rows).
    ///
    /// ```swift
    /// try db.makeStatement(sql: "SELECT 1, 2").columnCount  // 2
    /// ```
    public var columnCount: Int { Int(sqlite3_column_count(sqliteStatement)) }

    /// The name of the result column at `index` (0-based).
    ///
    /// ```swift
    /// try db.makeStatement(sql: "SELECT 1 AS one").columnName(at: 0)  // "one"
    /// ```
    public func columnName(at index: Int) -> String {
        String(cString: sqlite3_column_name(sqliteStatement, Int32(index)))
    }

    /// All result column names, in order.
    ///
    /// ```swift
    /// try db.makeStatement(sql: "SELECT id, name FROM users").columnNames  // ["id", "name"]
    /// ```
    public var columnNames: [String] {
        (0..<columnCount).map { columnName(at: $0) }
    }

    /// `true` if the statement does not write to the database.
    ///
    /// ```swift
    /// try db.makeStatement(sql: "SELECT 1").isReadOnly  // true
    /// ```
    public var isReadOnly: Bool { sqlite3_stmt_readonly(sqliteStatement) != 0 }

    // MARK: - Binding

    /// Binds an integer to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(Int64(42), at: 1)
    /// ```
    @inline(__always)
    public func bind(_ value: Int64, at index: Int) throws {
        try check(sqlite3_bind_int64(sqliteStatement, Int32(index), value))
    }

    /// Binds an integer to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(42, at: 1)
    /// ```
    @inline(__always)
    public func bind(_ value: Int, at index: Int) throws {
        try check(sqlite3_bind_int64(sqliteStatement, Int32(index), Int64(value)))
    }

    /// Binds a boolean (as 0 or 1) to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(true, at: 1)
    /// ```
    @inline(__always)
    public func bind(_ value: Bool, at index: Int) throws {
        try check(sqlite3_bind_int64(sqliteStatement, Int32(index), value ? 1 : 0))
    }

    /// Binds a double to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(2.5, at: 1)
    /// ```
    @inline(__always)
    public func bind(_ value: Double, at index: Int) throws {
        try check(sqlite3_bind_double(sqliteStatement, Int32(index), value))
    }

    /// Binds UTF-8 text to parameter `index` (1-based). SQLite copies the bytes
    /// (`SQLITE_TRANSIENT`); native Swift strings are not copied on the Swift side.
    ///
    /// ```swift
    /// try statement.bind("Ada", at: 1)
    /// ```
    @inline(__always)
    public func bind(_ value: String, at index: Int) throws {
        var value = value
        let resultCode = value.withUTF8 { utf8 -> Int32 in
            // A nil base address would bind NULL; bind an empty string instead.
            guard let base = utf8.baseAddress, utf8.count > 0 else {
                return sqlite3_bind_text(sqliteStatement, Int32(index), "", 0, sqliteTransient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text64(
                    sqliteStatement, Int32(index), $0, sqlite3_uint64(utf8.count),
                    sqliteTransient, UInt8(SQLITE_UTF8))
            }
        }
        try check(resultCode)
    }

    /// Binds UTF-8 text from raw memory to parameter `index` (1-based) without making a
    /// `String`. The bytes must be valid UTF-8. SQLite copies them.
    ///
    /// ```swift
    /// try bytes.withUnsafeBytes { try statement.bindText($0, at: 1) }
    /// ```
    @inline(__always)
    public func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            try check(sqlite3_bind_text(sqliteStatement, Int32(index), "", 0, sqliteTransient))
            return
        }
        try check(sqlite3_bind_text64(
            sqliteStatement, Int32(index), base.assumingMemoryBound(to: CChar.self), sqlite3_uint64(bytes.count),
            sqliteTransient, UInt8(SQLITE_UTF8)))
    }

    /// Binds a blob to parameter `index` (1-based). SQLite copies the bytes.
    ///
    /// ```swift
    /// try statement.bind([UInt8]([0, 1, 2]), at: 1)
    /// ```
    @inline(__always)
    public func bind(_ value: [UInt8], at index: Int) throws {
        try value.withUnsafeBytes { try bindBlob($0, at: index) }
    }

    /// Binds a blob from raw memory to parameter `index` (1-based) without an
    /// intermediate array. SQLite copies the bytes.
    ///
    /// ```swift
    /// try data.withUnsafeBytes { try statement.bindBlob($0, at: 1) }
    /// ```
    @inline(__always)
    public func bindBlob(_ bytes: UnsafeRawBufferPointer, at index: Int) throws {
        // A nil base address would bind NULL; an empty blob is a zero-length blob.
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            try check(sqlite3_bind_zeroblob(sqliteStatement, Int32(index), 0))
            return
        }
        try check(sqlite3_bind_blob64(
            sqliteStatement, Int32(index), base, sqlite3_uint64(bytes.count), sqliteTransient))
    }

    /// Binds `NULL` to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bindNull(at: 3)
    /// ```
    public func bindNull(at index: Int) throws {
        try check(sqlite3_bind_null(sqliteStatement, Int32(index)))
    }

    /// Binds any database value to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(DatabaseValue.text("Ada"), at: 1)
    /// ```
    public func bind(_ value: DatabaseValue, at index: Int) throws {
        switch value {
        case .null: try bindNull(at: index)
        case .integer(let int): try bind(int, at: index)
        case .real(let double): try bind(double, at: index)
        case .text(let string): try bind(string, at: index)
        case .blob(let bytes): try bind(bytes, at: index)
        }
    }

    /// Binds any convertible value (or `NULL` for `nil`) to parameter `index` (1-based).
    ///
    /// ```swift
    /// let email: String? = nil
    /// try statement.bind(email, at: 2)
    /// ```
    public func bind<Value: DatabaseValueConvertible>(_ value: Value?, at index: Int) throws {
        try bind(value?.databaseValue ?? .null, at: index)
    }

    /// Binds all parameters at once. Throws `.misuse` if the argument count
    /// differs from ``parameterCount``.
    ///
    /// ```swift
    /// try statement.bind([1, "Ada"])
    /// ```
    public func bind(_ arguments: StatementArguments) throws {
        guard arguments.count == parameterCount else {
            throw DatabaseError(
                code: .misuse,
                message: "wrong number of statement arguments: expected \(parameterCount), got \(arguments.count)",
                sql: sql)
        }
        for (offset, value) in arguments.values.enumerated() {
            try bind(value, at: offset + 1)
        }
    }

    /// Sets all parameters back to `NULL`.
    ///
    /// ```swift
    /// statement.clearBindings()
    /// ```
    public func clearBindings() {
        sqlite3_clear_bindings(sqliteStatement)
    }

    // MARK: - Stepping

    /// Advances to the next row. Returns `true` if a row is available, `false`
    /// when the statement has finished.
    ///
    /// ```swift
    /// while try statement.step() { print(statement.int64(at: 0)) }
    /// ```
    @inline(__always)
    public func step() throws -> Bool {
        let resultCode = sqlite3_step(sqliteStatement)
        if resultCode == SQLITE_ROW { return true }
        if resultCode == SQLITE_DONE { return false }
        throw DatabaseError(resultCode: resultCode, connection: connection, sql: sql)
    }

    /// Rewinds the statement so it can run again. Bindings are kept. Errors of
    /// the previous run were already thrown by ``step()`` and are not repeated.
    ///
    /// ```swift
    /// statement.reset()
    /// ```
    @inline(__always)
    public func reset() {
        sqlite3_reset(sqliteStatement)
    }

    /// Runs the statement to completion, discarding any rows. With `arguments`,
    /// rebinds all parameters first; with `nil`, uses the current bindings.
    ///
    /// ```swift
    /// let insert = try db.cachedStatement(sql: "INSERT INTO tags(name) VALUES (?)")
    /// for tag in tags { try insert.execute(arguments: [tag]) }
    /// ```
    public func execute(arguments: StatementArguments? = nil) throws {
        reset()
        defer { reset() }
        if let arguments { try bind(arguments) }
        while try step() {}
    }

    // MARK: - Column access (valid after `step()` returned `true`)

    /// `true` if column `index` (0-based) of the current row is `NULL`.
    ///
    /// ```swift
    /// if statement.isNull(at: 2) { ... }
    /// ```
    @inline(__always)
    public func isNull(at index: Int) -> Bool {
        sqlite3_column_type(sqliteStatement, Int32(index)) == SQLITE_NULL
    }

    /// Column `index` (0-based) of the current row as an integer (`NULL` is 0).
    ///
    /// ```swift
    /// let id = statement.int64(at: 0)
    /// ```
    @inline(__always)
    public func int64(at index: Int) -> Int64 {
        sqlite3_column_int64(sqliteStatement, Int32(index))
    }

    /// Column `index` (0-based) of the current row as an `Int` (`NULL` is 0).
    ///
    /// ```swift
    /// let count = statement.int(at: 0)
    /// ```
    @inline(__always)
    public func int(at index: Int) -> Int {
        Int(truncatingIfNeeded: sqlite3_column_int64(sqliteStatement, Int32(index)))
    }

    /// Column `index` (0-based) of the current row as a double (`NULL` is 0).
    ///
    /// ```swift
    /// let price = statement.double(at: 1)
    /// ```
    @inline(__always)
    public func double(at index: Int) -> Double {
        sqlite3_column_double(sqliteStatement, Int32(index))
    }

    /// Column `index` (0-based) of the current row as text (`NULL` is "").
    /// Decodes straight from SQLite's buffer; embedded zero bytes are kept.
    ///
    /// ```swift
    /// let name = statement.text(at: 1)
    /// ```
    @inline(__always)
    public func text(at index: Int) -> String {
        // sqlite3_column_text must be called before sqlite3_column_bytes.
        guard let pointer = sqlite3_column_text(sqliteStatement, Int32(index)) else { return "" }
        let count = Int(sqlite3_column_bytes(sqliteStatement, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` (0-based) of the current row as bytes (`NULL` is empty).
    ///
    /// ```swift
    /// let payload = statement.blob(at: 2)
    /// ```
    @inline(__always)
    public func blob(at index: Int) -> [UInt8] {
        withUnsafeBlob(at: index) { [UInt8]($0) }
    }

    /// Calls `body` with column `index` (0-based) of the current row as raw
    /// bytes, without copying. The buffer is only valid inside `body`.
    ///
    /// ```swift
    /// let hash = statement.withUnsafeBlob(at: 2) { sha256($0) }
    /// ```
    @inline(__always)
    public func withUnsafeBlob<Result>(
        at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        // sqlite3_column_blob must be called before sqlite3_column_bytes.
        let pointer = sqlite3_column_blob(sqliteStatement, Int32(index))
        let count = Int(sqlite3_column_bytes(sqliteStatement, Int32(index)))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// Column `index` (0-based) of the current row as a ``DatabaseValue``,
    /// following the value's SQLite storage class.
    ///
    /// ```swift
    /// if case .text(let name) = statement.value(at: 1) { ... }
    /// ```
    public func value(at index: Int) -> DatabaseValue {
        switch sqlite3_column_type(sqliteStatement, Int32(index)) {
        case SQLITE_INTEGER: return .integer(int64(at: index))
        case SQLITE_FLOAT: return .real(double(at: index))
        case SQLITE_TEXT: return .text(text(at: index))
        case SQLITE_BLOB: return .blob(blob(at: index))
        default: return .null
        }
    }

    // MARK: - Fetching

    /// Runs the statement and calls `body` for each row, with the statement
    /// positioned on that row. No `Row` values are allocated: the fastest way to read.
    ///
    /// ```swift
    /// try db.cachedStatement(sql: "SELECT id FROM users").forEachRow { stmt in
    ///     ids.append(stmt.int64(at: 0))
    /// }
    /// ```
    public func forEachRow(
        arguments: StatementArguments? = nil, _ body: (Statement) throws -> Void
    ) throws {
        reset()
        defer { reset() }
        if let arguments { try bind(arguments) }
        while try step() { try body(self) }
    }

    /// Runs the statement and returns all rows.
    ///
    /// ```swift
    /// let rows = try db.makeStatement(sql: "SELECT * FROM users").fetchAll()
    /// ```
    public func fetchAll(arguments: StatementArguments? = nil) throws -> [Row] {
        reset()
        defer { reset() }
        if let arguments { try bind(arguments) }
        let names = columnNames
        var rows: [Row] = []
        while try step() {
            rows.append(Row(columnNames: names, values: currentValues(count: names.count)))
        }
        return rows
    }

    /// Runs the statement and returns the first row, or `nil` if there is none.
    ///
    /// ```swift
    /// let row = try statement.fetchOne(arguments: [42])
    /// ```
    public func fetchOne(arguments: StatementArguments? = nil) throws -> Row? {
        reset()
        defer { reset() }
        if let arguments { try bind(arguments) }
        guard try step() else { return nil }
        let names = columnNames
        return Row(columnNames: names, values: currentValues(count: names.count))
    }

    private func currentValues(count: Int) -> [DatabaseValue] {
        var values: [DatabaseValue] = []
        values.reserveCapacity(count)
        for index in 0..<count { values.append(value(at: index)) }
        return values
    }
}
