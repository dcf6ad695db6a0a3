/// Something that gives read access to a database: a ``DatabaseQueue`` or a
/// ``DatabasePool``.
///
/// ```swift
/// func countUsers(in reader: some DatabaseReader) throws -> Int {
///     try reader.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM users") ?? 0 }
/// }
/// ```
public protocol DatabaseReader: AnyObject, Sendable {
    /// Runs `body` with a connection on which it may only read. Blocks the
    /// calling thread until a connection is available.
    ///
    /// ```swift
    /// let rows = try reader.read { db in try db.fetchAll(sql: "SELECT * FROM users") }
    /// ```
    func read<T>(_ body: (Database) throws -> T) throws -> T
}

/// Something that gives read and write access to a database: a
/// ``DatabaseQueue`` or a ``DatabasePool``. Accept `some DatabaseWriter` in
/// code that should work with either.
///
/// ```swift
/// func addUser(_ name: String, to writer: some DatabaseWriter) throws {
///     try writer.write { db in
///         try db.execute(sql: "INSERT INTO users(name) VALUES (?)", arguments: [name])
///     }
/// }
/// ```
public protocol DatabaseWriter: DatabaseReader {
    /// Runs `body` inside an IMMEDIATE transaction on the writer connection:
    /// committed if `body` returns, rolled back if it throws. Writes are serialized.
    ///
    /// ```swift
    /// try writer.write { db in try db.execute(sql: "DELETE FROM sessions") }
    /// ```
    func write<T>(_ body: (Database) throws -> T) throws -> T

    /// Runs `body` on the writer connection without opening a transaction
    /// (each statement autocommits unless `body` opens one). Writes are serialized.
    ///
    /// ```swift
    /// try writer.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    /// ```
    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T
}
