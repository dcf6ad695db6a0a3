/// A single database connection whose uses are serialized: the simplest way
/// to use SQLite safely from any thread. Works with a file or in memory.
///
/// ```swift
/// let queue = try DatabaseQueue(path: "/tmp/outpost.sqlite")
/// try queue.write { db in
///     try db.execute(sql: "CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT)")
///     try db.execute(sql: "INSERT INTO notes(body) VALUES (?)", arguments: ["hello"])
/// }
/// let count = try queue.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM notes") }
/// ```
///
/// Calls are not reentrant: calling `read`/`write` from inside a closure of
/// the same queue traps.
public final class DatabaseQueue: DatabaseWriter, Sendable {
    /// The database path (`":memory:"` for an in-memory database).
    ///
    /// ```swift
    /// print(queue.path)
    /// ```
    public let path: String

    /// The configuration the connection was opened with.
    ///
    /// ```swift
    /// print(queue.configuration.journalMode)
    /// ```
    public let configuration: Configuration

    private let connection: SerializedDatabase

    /// Opens (creating if needed) the database at `path`, or an in-memory
    /// database for `":memory:"` (the default).
    ///
    /// ```swift
    /// let onDisk = try DatabaseQueue(path: "/var/lib/outpost/client.sqlite")
    /// let inMemory = try DatabaseQueue()
    /// ```
    public init(path: String = ":memory:", configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = configuration
        self.connection = SerializedDatabase(try Database(path: path, configuration: configuration))
    }

    /// Runs `body` with the connection in read-only mode (`PRAGMA query_only`):
    /// any write attempt fails with `.readonly`.
    ///
    /// ```swift
    /// let names = try queue.read { db in try db.fetchColumn(String.self, sql: "SELECT name FROM users") }
    /// ```
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try connection.sync { db in
            if db.configuration.readonly { return try body(db) }
            try db.execute(sql: "PRAGMA query_only = 1")
            defer { try? db.execute(sql: "PRAGMA query_only = 0") }
            return try body(db)
        }
    }

    /// Runs `body` inside an IMMEDIATE transaction: committed if it returns,
    /// rolled back if it throws.
    ///
    /// ```swift
    /// try queue.write { db in
    ///     try db.execute(sql: "INSERT INTO users(name) VALUES (?)", arguments: ["Ada"])
    /// }
    /// ```
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try connection.sync { db in try db.inTransaction(.immediate, body) }
    }

    /// Runs `body` without opening a transaction.
    ///
    /// ```swift
    /// try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    /// ```
    public func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try connection.sync(body)
    }
}
