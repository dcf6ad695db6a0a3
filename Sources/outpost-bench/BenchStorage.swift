import Foundation
import OutpostServer

/// Where the benchmark's server keeps its data: a SQLite file in the temporary folder (the default)
/// or, with `--postgres URL`, a fresh schema of that PostgreSQL database, dropped at the end.
struct BenchStorage {
    /// The PostgreSQL URL, or `nil` for SQLite.
    let postgresURL: String?
    /// The schemas made, dropped by ``dropAll()``.
    private(set) var schemas: [String] = []

    /// What the figures were measured on, for the heading.
    var description: String {
        postgresURL == nil ? "SQLite WAL synchronous=FULL" : "PostgreSQL (server storage) and SQLite WAL synchronous=FULL (client)"
    }

    /// A new, empty server database (`name` names the SQLite file).
    mutating func open(_ name: String, in directory: URL,
                       pushGroupSize: Int = ServerDatabase.defaultPushGroupSize) throws -> ServerDatabase {
        guard let postgresURL else { return try ServerDatabase(path: directory.appendingPathComponent(name).path, pushGroupSize: pushGroupSize) }
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try ServerDatabase.createPostgresSchema(url: postgresURL, name: schema)
        schemas.append(schema)
        return try ServerDatabase(postgres: postgresURL, schema: schema, connections: 16, pushGroupSize: pushGroupSize)
    }

    /// Another instance on the database last opened (PostgreSQL only).
    func anotherInstance(pushGroupSize: Int = ServerDatabase.defaultPushGroupSize) throws -> ServerDatabase? {
        guard let postgresURL, let schema = schemas.last else { return nil }
        return try ServerDatabase(postgres: postgresURL, schema: schema, connections: 16, pushGroupSize: pushGroupSize)
    }

    /// Drops every schema made.
    func dropAll() {
        guard let postgresURL else { return }
        for schema in schemas { try? ServerDatabase.dropPostgresSchema(url: postgresURL, name: schema) }
    }
}
