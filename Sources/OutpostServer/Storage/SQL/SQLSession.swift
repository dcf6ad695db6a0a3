import OutpostStore

/// The SQL dialect a ``SQLSession`` speaks.
///
/// The server's SQL is written once, in a portable subset both SQLite and PostgreSQL accept
/// (see ``PostgresTranslation``): `?` placeholders, `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE
/// SET x = excluded.x`, `INTEGER` columns (64-bit on both), no `INSERT OR REPLACE`, no SQLite
/// JSON functions outside SQLite-only migrations, and subqueries in `FROM` named with `AS`.
public enum SQLDialect: String, Sendable, Hashable {
    /// SQLite (the default, embedded backend).
    case sqlite
    /// PostgreSQL through libpq (the `PostgreSQL` package trait).
    case postgres
}

/// One row of a result, read in place while ``SQLSession/forEachRow(sql:arguments:_:)`` is on it.
public protocol SQLRowCursor {
    /// Column `index` (0-based) as an integer (0 for `NULL`).
    func int64(at index: Int) -> Int64
    /// Column `index` as text (empty for `NULL`).
    func text(at index: Int) -> String
    /// `true` when column `index` is `NULL`.
    func isNull(at index: Int) -> Bool
    /// Calls `body` with the bytes of column `index` (text as UTF-8), valid only inside `body`.
    func withUnsafeBlob<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

/// A connection inside a transaction, as the server's storage code sees it: run statements and read
/// rows. ``ServerStorage`` opens the transaction; statements are single SQL statements with `?`
/// placeholders written in the portable subset described at ``SQLDialect``.
///
/// ```swift
/// try database.pool.write { db in
///     try db.execute(sql: "UPDATE users SET status = ? WHERE name = ?", arguments: ["frozen", name])
///     let count: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM users") ?? 0
/// }
/// ```
public protocol SQLSession {
    /// The dialect of the database behind the session.
    var dialect: SQLDialect { get }
    /// Runs one statement.
    func execute(sql: String, arguments: StatementArguments) throws
    /// Every row of a query.
    func fetchAll(sql: String, arguments: StatementArguments) throws -> [Row]
    /// The first row of a query, if any.
    func fetchOne(sql: String, arguments: StatementArguments) throws -> Row?
    /// The first column of the first row, decoded (`nil` for no row, `NULL` or a value of another type).
    func fetchScalar<Value: DatabaseValueConvertible>(_ type: Value.Type, sql: String, arguments: StatementArguments) throws -> Value?
    /// The first column of every row, decoded.
    func fetchColumn<Value: DatabaseValueConvertible>(_ type: Value.Type, sql: String, arguments: StatementArguments) throws -> [Value]
    /// Calls `body` for every row without building ``Row`` values (the fast path for record state).
    func forEachRow(sql: String, arguments: StatementArguments, _ body: (any SQLRowCursor) throws -> Void) throws
    /// Runs `body` in a savepoint: released if it returns, rolled back (alone) if it throws.
    func savepoint<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// `true` while a transaction is open (a failed statement may have ended it).
    var isInsideTransaction: Bool { get }
}

extension SQLSession {
    /// Runs one statement.
    public func execute(sql: String) throws { try execute(sql: sql, arguments: []) }
    /// Every row of a query.
    public func fetchAll(sql: String) throws -> [Row] { try fetchAll(sql: sql, arguments: []) }
    /// The first row of a query, if any.
    public func fetchOne(sql: String) throws -> Row? { try fetchOne(sql: sql, arguments: []) }
    /// The first column of the first row, decoded.
    public func fetchScalar<Value: DatabaseValueConvertible>(sql: String, arguments: StatementArguments = []) throws -> Value? {
        try fetchScalar(Value.self, sql: sql, arguments: arguments)
    }
    /// The first column of every row, decoded.
    public func fetchColumn<Value: DatabaseValueConvertible>(sql: String, arguments: StatementArguments = []) throws -> [Value] {
        try fetchColumn(Value.self, sql: sql, arguments: arguments)
    }
}
