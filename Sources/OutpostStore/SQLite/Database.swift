import CSQLite

/// One SQLite connection.
///
/// A `Database` is not thread-safe. You never create one directly: a
/// ``DatabaseQueue`` or ``DatabasePool`` hands it to your closure, and it must
/// not escape that closure.
///
/// ```swift
/// let queue = try DatabaseQueue()
/// try queue.write { db in
///     try db.execute(sql: "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
///     try db.execute(sql: "INSERT INTO users(name) VALUES (?)", arguments: ["Ada"])
///     print(db.lastInsertedRowID)
/// }
/// ```
public final class Database {
    /// The underlying `sqlite3*` handle, for C API calls this wrapper doesn't cover.
    ///
    /// ```swift
    /// sqlite3_db_cacheflush(db.sqliteConnection)
    /// ```
    public let sqliteConnection: OpaquePointer

    /// The path this connection was opened with (`":memory:"` for in-memory databases).
    ///
    /// ```swift
    /// print(db.path)
    /// ```
    public let path: String

    /// The configuration this connection was opened with.
    ///
    /// ```swift
    /// if db.configuration.readonly { ... }
    /// ```
    public let configuration: Configuration

    private var statementCache: [String: Statement] = [:]
    /// The log the update hook writes into (``logRowChanges(into:)``), kept alive with the connection.
    var rowChangeLog: RowChangeLog?

    /// Opens a connection with `SQLITE_OPEN_NOMUTEX` (the queue or pool
    /// serializes access) and applies `configuration`.
    init(path: String, configuration: Configuration) throws {
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= configuration.readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var handle: OpaquePointer?
        let resultCode = sqlite3_open_v2(path, &handle, flags, nil)
        guard resultCode == SQLITE_OK, let handle else {
            let error = DatabaseError(resultCode: resultCode, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.sqliteConnection = handle
        self.path = path
        self.configuration = configuration
        // From here on, a thrown error still runs deinit, which closes the handle.
        sqlite3_extended_result_codes(handle, 1)
        try setUp()
    }

    deinit {
        if rowChangeLog != nil { sqlite3_update_hook(sqliteConnection, nil, nil) }
        statementCache.removeAll()  // finalizes cached statements
        // close_v2 defers the close until statements still held elsewhere are finalized.
        sqlite3_close_v2(sqliteConnection)
    }

    static func isInMemoryPath(_ path: String) -> Bool {
        path.isEmpty || path == ":memory:" || path.hasPrefix("file::memory:")
    }

    private func setUp() throws {
        let resultCode = sqlite3_busy_timeout(sqliteConnection, configuration.busyTimeoutMilliseconds)
        if resultCode != SQLITE_OK {
            throw DatabaseError(resultCode: resultCode, connection: sqliteConnection)
        }
        try makeStatement(sql: "PRAGMA foreign_keys = \(configuration.foreignKeysEnabled ? "ON" : "OFF")").execute()
        if let pageSize = configuration.pageSize {
            try makeStatement(sql: "PRAGMA page_size = \(pageSize)").execute()
        }
        if let cacheSize = configuration.cacheSizeKiB {
            try makeStatement(sql: "PRAGMA cache_size = -\(cacheSize)").execute()
        }
        try makeStatement(sql: "PRAGMA synchronous = \(configuration.synchronous.rawValue.uppercased())").execute()
        if !configuration.readonly && !Database.isInMemoryPath(path) {
            let wanted = configuration.journalMode.rawValue
            let sql = "PRAGMA journal_mode = \(wanted.uppercased())"
            let actual = try makeStatement(sql: sql).fetchOne()?[0] as String?
            if actual?.lowercased() != wanted {
                throw DatabaseError(
                    code: .error,
                    message: "could not set journal mode to \(wanted) (got \(actual ?? "nothing"))",
                    sql: sql)
            }
        }
        try configuration.prepareDatabase?(self)
    }

    // MARK: - Connection state

    /// The rowid of the most recent successful `INSERT` on this connection.
    ///
    /// ```swift
    /// try db.execute(sql: "INSERT INTO users(name) VALUES (?)", arguments: ["Ada"])
    /// let id = db.lastInsertedRowID
    /// ```
    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(sqliteConnection) }

    /// Rows changed by the most recent `INSERT`, `UPDATE` or `DELETE`.
    ///
    /// ```swift
    /// try db.execute(sql: "DELETE FROM sessions WHERE expired")
    /// print(db.changesCount)
    /// ```
    public var changesCount: Int { Int(sqlite3_changes(sqliteConnection)) }

    /// Rows changed since the connection was opened.
    ///
    /// ```swift
    /// print(db.totalChangesCount)
    /// ```
    public var totalChangesCount: Int { Int(sqlite3_total_changes(sqliteConnection)) }

    // MARK: - Statements

    /// Prepares a new, uncached statement. `sql` must contain exactly one statement.
    ///
    /// ```swift
    /// let statement = try db.makeStatement(sql: "SELECT name FROM users WHERE id = ?")
    /// ```
    public func makeStatement(sql: String) throws -> Statement {
        var utf8SQL = sql
        return try utf8SQL.withUTF8 { utf8 in
            let (statement, remainderIsEmpty, _) = try prepareFirstStatement(utf8, fullSQL: sql)
            guard let statement else {
                throw DatabaseError(code: .misuse, message: "no SQL statement to prepare", sql: sql)
            }
            guard remainderIsEmpty else {
                throw DatabaseError(
                    code: .misuse,
                    message: "expected a single SQL statement; use execute(sql:) for several",
                    sql: sql)
            }
            return statement
        }
    }

    /// Returns a prepared statement from this connection's cache, preparing
    /// and caching it on first use. Reusing statements avoids re-parsing SQL
    /// and is the key to fast repeated queries.
    ///
    /// The statement is reset before being returned. Don't run the same
    /// cached SQL again while iterating its rows.
    ///
    /// ```swift
    /// let select = try db.cachedStatement(sql: "SELECT name FROM users WHERE id = ?")
    /// let name = try select.fetchOne(arguments: [1])?["name"] as String?
    /// ```
    public func cachedStatement(sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try makeStatement(sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// The number of statements in the statement cache.
    ///
    /// ```swift
    /// print(db.cachedStatementCount)
    /// ```
    public var cachedStatementCount: Int { statementCache.count }

    /// Finalizes and removes all cached statements.
    ///
    /// ```swift
    /// db.clearStatementCache()
    /// ```
    public func clearStatementCache() {
        statementCache.removeAll()
    }

    /// Prepares the first statement of `utf8`. Returns the statement (nil if
    /// only whitespace/comments), whether nothing but whitespace/comments
    /// follows it, and the number of bytes consumed.
    private func prepareFirstStatement(
        _ utf8: UnsafeBufferPointer<UInt8>, fullSQL: String
    ) throws -> (Statement?, remainderIsEmpty: Bool, consumed: Int) {
        guard let base = utf8.baseAddress, utf8.count > 0 else { return (nil, true, 0) }
        return try base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { start in
            var handle: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let resultCode = sqlite3_prepare_v2(sqliteConnection, start, Int32(utf8.count), &handle, &tail)
            let consumed = tail.map { $0 - UnsafePointer(start) } ?? utf8.count
            let statementSQL = String(
                decoding: UnsafeBufferPointer(start: base, count: consumed), as: UTF8.self)
            guard resultCode == SQLITE_OK else {
                // On failure the tail is unreliable: report all remaining SQL.
                throw DatabaseError(
                    resultCode: resultCode, connection: sqliteConnection, sql: Self.trimmed(fullSQL))
            }
            guard let handle else { return (nil, true, consumed) }
            let statement = Statement(handle: handle, sql: consumed == utf8.count ? fullSQL : Self.trimmed(statementSQL))
            let rest = UnsafeBufferPointer(rebasing: utf8[consumed...])
            return (statement, remainderIsEmpty(rest), consumed)
        }
    }

    /// True if `utf8` holds no SQL statement (only whitespace, `;` or comments).
    private func remainderIsEmpty(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let isTrivial = utf8.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0x3B }
        if isTrivial { return true }
        guard let base = utf8.baseAddress else { return true }
        // Something else follows: comments, or statements. Ask SQLite. A
        // prepare failure (e.g. a table created by the previous statement)
        // means there is a statement.
        return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { start in
            var handle: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let resultCode = sqlite3_prepare_v2(sqliteConnection, start, Int32(utf8.count), &handle, &tail)
            defer { sqlite3_finalize(handle) }
            guard resultCode == SQLITE_OK, handle == nil else { return false }
            // Only comments up to the tail; check what follows, if anything.
            let consumed = tail.map { $0 - UnsafePointer(start) } ?? utf8.count
            return consumed >= utf8.count
                || remainderIsEmpty(UnsafeBufferPointer(rebasing: utf8[consumed...]))
        }
    }

    private static func trimmed(_ sql: String) -> String {
        var scalars = Substring(sql)
        while let first = scalars.first, first.isWhitespace || first == ";" { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace || last == ";" { scalars.removeLast() }
        return String(scalars)
    }

    // MARK: - Executing

    /// Executes SQL, discarding any rows. A single statement is prepared once
    /// and cached, so repeating the same SQL with new arguments is fast.
    /// Without arguments, `sql` may hold several statements separated by `;`,
    /// run in order (e.g. a migration script).
    ///
    /// ```swift
    /// try db.execute(sql: "UPDATE users SET name = ? WHERE id = ?", arguments: ["Ada", 1])
    /// try db.execute(sql: """
    ///     CREATE TABLE a(id INTEGER PRIMARY KEY);
    ///     CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
    ///     """)
    /// ```
    public func execute(sql: String, arguments: StatementArguments = []) throws {
        if let statement = statementCache[sql] {
            try statement.execute(arguments: arguments)
            return
        }
        var remaining = sql
        var isFirst = true
        while true {
            let fullSQL = remaining
            let (statement, remainderIsEmpty, consumed) = try remaining.withUTF8 { utf8 in
                try prepareFirstStatement(utf8, fullSQL: fullSQL)
            }
            guard let statement else { return }
            if isFirst && remainderIsEmpty {
                statementCache[sql] = statement
                try statement.execute(arguments: arguments)
                return
            }
            guard arguments.isEmpty else {
                throw DatabaseError(
                    code: .misuse,
                    message: "arguments can only be used with a single SQL statement",
                    sql: sql)
            }
            try statement.execute(arguments: [])
            if remainderIsEmpty { return }
            isFirst = false
            remaining = String(decoding: remaining.utf8.dropFirst(consumed), as: UTF8.self)
        }
    }

    // MARK: - Fetching

    /// Fetches all rows of a query, using a cached statement.
    ///
    /// ```swift
    /// let rows = try db.fetchAll(sql: "SELECT id, name FROM users WHERE name LIKE ?", arguments: ["A%"])
    /// for row in rows { print(row["name"] as String?) }
    /// ```
    public func fetchAll(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try cachedStatement(sql: sql).fetchAll(arguments: arguments)
    }

    /// Fetches the first row of a query, or `nil`, using a cached statement.
    ///
    /// ```swift
    /// let row = try db.fetchOne(sql: "SELECT * FROM users WHERE id = ?", arguments: [1])
    /// ```
    public func fetchOne(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try cachedStatement(sql: sql).fetchOne(arguments: arguments)
    }

    /// Fetches the first column of the first row, decoded as `Value`. Returns
    /// `nil` when there is no row, or the value is `NULL` or not convertible.
    ///
    /// ```swift
    /// let count = try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM users") ?? 0
    /// ```
    public func fetchScalar<Value: DatabaseValueConvertible>(
        _ type: Value.Type = Value.self, sql: String, arguments: StatementArguments = []
    ) throws -> Value? {
        let statement = try cachedStatement(sql: sql)
        statement.reset()
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step(), statement.columnCount > 0 else { return nil }
        return Value.fromDatabaseValue(statement.value(at: 0))
    }

    /// Fetches the first column of every row, decoded as `Value`. Throws
    /// `.mismatch` if a value is `NULL` or not convertible.
    ///
    /// ```swift
    /// let names = try db.fetchColumn(String.self, sql: "SELECT name FROM users ORDER BY name")
    /// ```
    public func fetchColumn<Value: DatabaseValueConvertible>(
        _ type: Value.Type = Value.self, sql: String, arguments: StatementArguments = []
    ) throws -> [Value] {
        let statement = try cachedStatement(sql: sql)
        var result: [Value] = []
        try statement.forEachRow(arguments: arguments) { statement in
            let value = statement.value(at: 0)
            guard let decoded = Value.fromDatabaseValue(value) else {
                throw DatabaseError(
                    code: .mismatch, message: "cannot decode \(value) as \(Value.self)", sql: sql)
            }
            result.append(decoded)
        }
        return result
    }
}
