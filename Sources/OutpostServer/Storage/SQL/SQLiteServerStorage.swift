import OutpostStore

/// Server storage in a SQLite file in WAL mode: one writer connection (writes are IMMEDIATE
/// transactions, so serialised) and several readers, each read one snapshot.
public final class SQLiteServerStorage: ServerStorage {
    /// The connection pool.
    let pool: DatabasePool

    /// Wraps an open pool.
    init(pool: DatabasePool) { self.pool = pool }

    public var dialect: SQLDialect { .sqlite }
    public var location: String { pool.path }

    public func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try pool.read { db in try body(db) }
    }

    public func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try pool.write { db in try body(db) }
    }

    public func update<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try pool.write { db in try body(db) }
    }

    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}

/// A SQLite connection is a session as it is: every statement goes through its statement cache.
extension Database: SQLSession {
    public var dialect: SQLDialect { .sqlite }

    public func forEachRow(sql: String, arguments: StatementArguments, _ body: (any SQLRowCursor) throws -> Void) throws {
        try cachedStatement(sql: sql).forEachRow(arguments: arguments) { statement in try body(statement) }
    }

    public func savepoint<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try inSavepoint { db in try body(db) }
    }
}

extension Statement: SQLRowCursor {}
