import Foundation

extension ServerDatabase {
    /// Opens (and migrates) the server database in PostgreSQL at `url`, shared with any other
    /// server instance using the same database: see ``ServerStorage`` for how every guarantee of
    /// Protocol/SPEC.md holds across instances. There is no rollback marker (SPEC §11.1): restoring
    /// a PostgreSQL database is done with its own tools, and `outpost-server restore` does not apply.
    ///
    /// ```swift
    /// let database = try ServerDatabase(postgres: "postgres://outpost@db.internal/outpost")
    /// ```
    ///
    /// - Parameters:
    ///   - schema: the schema holding the tables (default: the connection's search path, usually `public`).
    ///   - connections: the most connections this instance opens.
    /// - Throws: ``ServerStorageError/postgresUnavailable`` when this build lacks the `PostgreSQL` trait.
    ///   - pushGroupSize: the most concurrent pushes of this instance that share one transaction (group commit).
    public convenience init(postgres url: String, schema: String? = nil, connections: Int = 8,
                            pushGroupSize: Int = ServerDatabase.defaultPushGroupSize) throws {
        #if PostgreSQL
        let storage = try PostgresServerStorage(url: url, schema: schema, maximumConnections: connections)
        try storage.write { db in try PostgresSchema.migrate(db) }
        try self.init(storage: storage, markerPath: nil, pushGroupSize: pushGroupSize)
        #else
        throw ServerStorageError.postgresUnavailable
        #endif
    }

    /// `true` when this build can open PostgreSQL databases (the `PostgreSQL` package trait).
    public static var supportsPostgres: Bool {
        #if PostgreSQL
        return true
        #else
        return false
        #endif
    }
}

extension ServerDatabase {
    /// Creates a new, empty schema `name` in the PostgreSQL database at `url` (for tests and
    /// benchmarks: one database per schema, dropped afterwards with ``dropPostgresSchema(url:name:)``).
    public static func createPostgresSchema(url: String, name: String) throws {
        #if PostgreSQL
        try PostgresConnection(url: url, schema: nil).run("CREATE SCHEMA \(PostgresConnection.quoted(name))")
        #else
        throw ServerStorageError.postgresUnavailable
        #endif
    }

    /// Drops schema `name` and everything in it.
    public static func dropPostgresSchema(url: String, name: String) throws {
        #if PostgreSQL
        try PostgresConnection(url: url, schema: nil).run("DROP SCHEMA IF EXISTS \(PostgresConnection.quoted(name)) CASCADE")
        #else
        throw ServerStorageError.postgresUnavailable
        #endif
    }
}
