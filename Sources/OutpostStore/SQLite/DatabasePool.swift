import Foundation

/// A WAL-mode database for servers: one writer connection plus up to
/// ``Configuration/maximumReaderCount`` reader connections, so reads run in
/// parallel with each other and with the writer.
///
/// Each `read` runs inside a deferred transaction on its own reader
/// connection, so it sees one consistent snapshot even while the writer
/// commits. Writes are serialized on the writer.
///
/// ```swift
/// let pool = try DatabasePool(path: "/var/lib/outpost/server.sqlite")
/// try pool.write { db in
///     try db.execute(sql: "INSERT INTO records(id, body) VALUES (?, ?)", arguments: [id, body])
/// }
/// let rows = try pool.read { db in try db.fetchAll(sql: "SELECT * FROM records") }
/// ```
public final class DatabasePool: DatabaseWriter, @unchecked Sendable {
    // Safety: `availableReaders` and `readerCount` are only accessed while
    // holding `readerCondition`; a checked-out reader is used by one thread at a
    // time; the writer is serialized by `SerializedDatabase`.

    /// The database file path.
    ///
    /// ```swift
    /// print(pool.path)
    /// ```
    public let path: String

    /// The configuration of the writer connection. Readers use the same
    /// configuration, opened read-only.
    ///
    /// ```swift
    /// print(pool.configuration.maximumReaderCount)
    /// ```
    public let configuration: Configuration

    private let writer: SerializedDatabase
    private let readerConfiguration: Configuration
    private let maximumReaderCount: Int
    private let readerCondition = NSCondition()
    private var availableReaders: [Database] = []
    private var readerCount = 0

    /// Opens (creating if needed) the database file at `path` and switches it
    /// to WAL mode. In-memory databases are not supported: use ``DatabaseQueue``.
    ///
    /// ```swift
    /// var config = Configuration()
    /// config.maximumReaderCount = 8
    /// let pool = try DatabasePool(path: "/var/lib/outpost/server.sqlite", configuration: config)
    /// ```
    public init(path: String, configuration: Configuration = Configuration()) throws {
        guard !Database.isInMemoryPath(path) else {
            throw DatabaseError(
                code: .cantOpen,
                message: "DatabasePool needs a database file; use DatabaseQueue for in-memory databases")
        }
        var writerConfiguration = configuration
        writerConfiguration.journalMode = .wal
        var readerConfiguration = configuration
        readerConfiguration.readonly = true
        self.path = path
        self.configuration = writerConfiguration
        self.readerConfiguration = readerConfiguration
        self.maximumReaderCount = max(1, configuration.maximumReaderCount)
        self.writer = SerializedDatabase(try Database(path: path, configuration: writerConfiguration))
    }

    /// Runs `body` on a free reader connection inside a deferred transaction,
    /// so all its queries see the same snapshot of the database. Blocks until
    /// a reader is free. Readers are opened lazily, up to the maximum.
    ///
    /// ```swift
    /// let (users, notes) = try pool.read { db in
    ///     (try db.fetchAll(sql: "SELECT * FROM users"), try db.fetchAll(sql: "SELECT * FROM notes"))
    /// }
    /// ```
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try checkOutReader()
        defer { checkIn(reader) }
        return try reader.inTransaction(.deferred, body)
    }

    /// Runs `body` on the writer inside an IMMEDIATE transaction: committed if
    /// it returns, rolled back if it throws. Readers are not blocked.
    ///
    /// ```swift
    /// try pool.write { db in try db.execute(sql: "DELETE FROM tokens WHERE expires_at < ?", arguments: [now]) }
    /// ```
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.sync { db in try db.inTransaction(.immediate, body) }
    }

    /// Runs `body` on the writer without opening a transaction.
    ///
    /// ```swift
    /// try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    /// ```
    public func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.sync(body)
    }

    private func checkOutReader() throws -> Database {
        readerCondition.lock()
        while true {
            if let reader = availableReaders.popLast() {
                readerCondition.unlock()
                return reader
            }
            if readerCount < maximumReaderCount {
                readerCount += 1
                readerCondition.unlock()
                do {
                    return try Database(path: path, configuration: readerConfiguration)
                } catch {
                    readerCondition.lock()
                    readerCount -= 1
                    readerCondition.signal()
                    readerCondition.unlock()
                    throw error
                }
            }
            readerCondition.wait()
        }
    }

    private func checkIn(_ reader: Database) {
        readerCondition.lock()
        availableReaders.append(reader)
        readerCondition.signal()
        readerCondition.unlock()
    }
}
