import OutpostStore

/// Where the server keeps its data: transactions over a SQLite file (``SQLiteServerStorage``) or a
/// PostgreSQL database shared by several server instances (``PostgresServerStorage``, with the
/// `PostgreSQL` package trait).
///
/// Every guarantee of Protocol/SPEC.md holds on both because both give the same transactions:
///
/// - ``write(_:)`` transactions are serialised. SQLite has one writer. PostgreSQL takes one
///   transaction-scoped advisory lock as the first statement and holds it until commit, so writes
///   of every instance run one after another; PostgreSQL makes a commit visible before it releases
///   the lock, so seqs (assigned as `MAX(seq) + 1` inside the write) commit in seq order and a
///   reader's snapshot always holds a prefix of them: a pull never skips a change (SPEC §11.4).
///   The idempotency check of a batch (the stored answer), node chains, dot checks, scope
///   generations and code leases all read and write inside that one serialised transaction.
/// - ``read(_:)`` sees one consistent snapshot and never waits for writers.
/// - ``update(_:)`` is a transaction for bookkeeping that neither assigns seqs nor reads what
///   another write decides on (e.g. the last sync time); on PostgreSQL it takes no advisory lock.
public protocol ServerStorage: Sendable {
    /// The SQL dialect of the database.
    var dialect: SQLDialect { get }
    /// Runs `body` in a read-only transaction over one snapshot.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Runs `body` in a serialised write transaction: committed if it returns, rolled back if it throws.
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Runs `body` in a write transaction that is not serialised with ``write(_:)`` on PostgreSQL.
    func update<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Makes the stored data durable on its own (SQLite: empties the write-ahead log into the file).
    func checkpoint() throws
    /// A short description for logs, without secrets (a file path, or host and database name).
    var location: String { get }
}

/// Errors of opening server storage.
public enum ServerStorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// This build was made without the `PostgreSQL` trait.
    case postgresUnavailable
    /// The PostgreSQL server could not be reached or refused the connection.
    case connectionFailed(String)
    /// A statement failed on PostgreSQL (SQLSTATE, message, the statement).
    case statementFailed(sqlState: String, message: String, sql: String)
    /// The operation exists only for a SQLite database file.
    case sqliteOnly(String)

    public var description: String {
        switch self {
        case .postgresUnavailable:
            return "This build has no PostgreSQL support; build with --traits PostgreSQL (swift build -c release --traits PostgreSQL)."
        case .connectionFailed(let reason):
            return "Cannot connect to PostgreSQL: \(reason)"
        case .statementFailed(let state, let message, let sql):
            return "PostgreSQL refused a statement (\(state)): \(message) — in: \(sql)"
        case .sqliteOnly(let what):
            return what
        }
    }
}
