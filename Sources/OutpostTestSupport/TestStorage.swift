import Foundation
import OutpostServer

/// Which storage a test server uses. The server suites run on SQLite by default; with the
/// `PostgreSQL` trait and `OUTPOST_TEST_POSTGRES=postgres://…` set (as `.ci/with-postgres` does),
/// ``configured`` servers keep their data in PostgreSQL instead, each in a fresh schema.
public enum TestStorage: Sendable, Hashable {
    /// PostgreSQL when configured, SQLite otherwise.
    case configured
    /// Always a SQLite file (tests of backups, restores and files).
    case sqlite

    /// The PostgreSQL URL tests use, when this build can use one and `OUTPOST_TEST_POSTGRES` is set.
    public static var postgresURL: String? {
        guard ServerDatabase.supportsPostgres,
              let url = ProcessInfo.processInfo.environment["OUTPOST_TEST_POSTGRES"], !url.isEmpty
        else { return nil }
        return url
    }

    /// `true` when ``configured`` means PostgreSQL in this run.
    public static var usesPostgres: Bool { postgresURL != nil }
}

/// A PostgreSQL schema made for one test and dropped by ``drop()``.
public struct TestPostgresSchema: Sendable, Hashable {
    /// The database URL.
    public let url: String
    /// The schema's name.
    public let name: String

    /// Creates a fresh schema in the database at `url`.
    public init(url: String) throws {
        self.url = url
        name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try ServerDatabase.createPostgresSchema(url: url, name: name)
    }

    /// A server database (one instance) over the schema.
    public func open(connections: Int = 4) throws -> ServerDatabase {
        try ServerDatabase(postgres: url, schema: name, connections: connections)
    }

    /// The database URL with the schema as the connection's search path (libpq's `options`), for
    /// `outpost-server --postgres`.
    public var urlWithSchema: String {
        url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + name
    }

    /// Drops the schema and its tables.
    public func drop() { try? ServerDatabase.dropPostgresSchema(url: url, name: name) }
}
