#if PostgreSQL
import Foundation

/// Server storage in a PostgreSQL database that several `outpost-server` instances share: a pool
/// of libpq connections, each transaction on one of them.
///
/// ``write(_:)`` begins a READ COMMITTED transaction whose first statement takes the advisory lock
/// ``writeLockClass`` (keyed by the schema, so separate schemas do not wait for each other) until
/// commit. Write transactions of every instance therefore run one after another, exactly like
/// SQLite's single writer, and every statement after the lock sees every earlier write. Seqs are
/// `MAX(seq) + 1` inside that transaction; PostgreSQL makes a commit visible before it releases
/// the transaction's locks, so the next writer's seqs are higher and commit later: seq order is
/// commit order, and a pull's snapshot holds every change up to its newest seq (SPEC §11.4).
///
/// ``read(_:)`` is a REPEATABLE READ, READ ONLY transaction: one snapshot, never waiting.
public final class PostgresServerStorage: ServerStorage, @unchecked Sendable {
    // Safety: `idle` and `open` are only touched while holding `condition`; a checked-out
    // connection is used by one thread at a time.
    private let url: String
    private let schema: String?
    private let maximumConnections: Int
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0

    /// The first key of the advisory lock every write transaction takes (the second is the
    /// schema's hash). Any other program taking it would pause the servers' writes.
    public static let writeLockClass: Int32 = 0x4F50_5354  // "OPST"

    /// Connects lazily to `url` (e.g. `postgres://outpost@db.example.com/outpost`), with up to
    /// `maximumConnections` connections; `schema` sets the search path (default: the URL's or `public`).
    /// The first connection is opened at once, so a wrong URL or password fails here.
    public init(url: String, schema: String? = nil, maximumConnections: Int = 8) throws {
        self.url = url
        self.schema = schema
        self.maximumConnections = max(2, maximumConnections)
        let first = try PostgresConnection(url: url, schema: schema)
        idle.append(first)
        open = 1
    }

    public var dialect: SQLDialect { .postgres }

    public var location: String {
        // The URL without its password.
        guard var components = URLComponents(string: url), components.password != nil else {
            return url.hasPrefix("postgres") ? url : "PostgreSQL"
        }
        components.password = "…"
        return (components.string ?? "PostgreSQL") + (schema.map { " schema \($0)" } ?? "")
    }

    public func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body)
    }

    public func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN; SELECT pg_advisory_xact_lock(\(Self.writeLockClass), hashtext(current_schema()))", body)
    }

    public func update<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", body)
    }

    /// Nothing to do: PostgreSQL makes every commit durable itself.
    public func checkpoint() throws {}

    /// Runs `body` between `begin` and COMMIT on a pooled connection (ROLLBACK when it throws).
    /// A deadlock or serialisation failure (SQLSTATE 40P01, 40001) runs it again, up to three times.
    private func transaction<T>(begin: String, _ body: (any SQLSession) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try checkOut()
            defer { checkIn(connection) }
            do {
                try connection.run(begin)
                let value = try body(PostgresSession(connection: connection))
                try connection.run("COMMIT")
                return value
            } catch {
                try? connection.run("ROLLBACK")
                if attempt < 3, case ServerStorageError.statementFailed(let state, _, _) = error, state == "40P01" || state == "40001" {
                    continue
                }
                throw error
            }
        }
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while true {
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if open < maximumConnections {
                open += 1
                condition.unlock()
                do {
                    return try PostgresConnection(url: url, schema: schema)
                } catch {
                    condition.lock()
                    open -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    /// Returns a connection to the pool, or closes it when it broke or is stuck in a transaction.
    private func checkIn(_ connection: PostgresConnection) {
        condition.lock()
        if connection.isIdle { idle.append(connection) } else { open -= 1 }
        condition.signal()
        condition.unlock()
    }
}
#endif
