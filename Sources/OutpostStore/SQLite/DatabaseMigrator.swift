/// Applies schema migrations once each, in registration order, recording
/// applied identifiers in the `outpost_migrations` table.
///
/// ```swift
/// var migrator = DatabaseMigrator()
/// migrator.registerMigration("v1: users") { db in
///     try db.execute(sql: "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
/// }
/// migrator.registerMigration("v2: users.email") { db in
///     try db.execute(sql: "ALTER TABLE users ADD COLUMN email TEXT")
/// }
/// try migrator.migrate(queue)  // running it again does nothing
/// ```
public struct DatabaseMigrator: Sendable {
    private struct Migration: Sendable {
        let identifier: String
        let body: @Sendable (Database) throws -> Void
    }

    private var migrations: [Migration] = []

    /// The identifiers of registered migrations, in order.
    ///
    /// ```swift
    /// print(migrator.migrationIdentifiers)  // ["v1: users", "v2: users.email"]
    /// ```
    public var migrationIdentifiers: [String] { migrations.map(\.identifier) }

    /// Creates a migrator without migrations.
    ///
    /// ```swift
    /// var migrator = DatabaseMigrator()
    /// ```
    public init() {}

    /// Registers a migration. Identifiers must be unique (traps otherwise)
    /// and must never change once shipped. Migrations run in registration order.
    ///
    /// ```swift
    /// migrator.registerMigration("v3: index users.email") { db in
    ///     try db.execute(sql: "CREATE INDEX users_email ON users(email)")
    /// }
    /// ```
    public mutating func registerMigration(
        _ identifier: String, _ body: @escaping @Sendable (Database) throws -> Void
    ) {
        precondition(
            !migrations.contains { $0.identifier == identifier },
            "Migration \"\(identifier)\" is already registered")
        migrations.append(Migration(identifier: identifier, body: body))
    }

    /// Applies all pending migrations, in order, each in its own IMMEDIATE
    /// transaction together with its `outpost_migrations` record. If one
    /// throws, none of its changes are kept, later migrations don't run, and
    /// the error is rethrown; earlier ones stay applied.
    ///
    /// ```swift
    /// try migrator.migrate(pool)
    /// ```
    public func migrate(_ writer: some DatabaseWriter) throws {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS outpost_migrations (
                    identifier TEXT NOT NULL PRIMARY KEY,
                    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                )
                """)
            let applied = Set(try Self.fetchAppliedIdentifiers(db))
            for migration in migrations where !applied.contains(migration.identifier) {
                try db.inTransaction(.immediate) { db in
                    try migration.body(db)
                    try db.execute(
                        sql: "INSERT INTO outpost_migrations(identifier) VALUES (?)",
                        arguments: [migration.identifier])
                }
            }
        }
    }

    /// The identifiers recorded as applied in the database, in the order they
    /// were applied (empty if the database was never migrated).
    ///
    /// ```swift
    /// let done = try migrator.appliedMigrations(queue)  // ["v1: users"]
    /// ```
    public func appliedMigrations(_ reader: some DatabaseReader) throws -> [String] {
        try reader.read { db in try Self.fetchAppliedIdentifiers(db) }
    }

    /// `true` if every registered migration has been applied.
    ///
    /// ```swift
    /// if try !migrator.hasCompletedMigrations(queue) { try migrator.migrate(queue) }
    /// ```
    public func hasCompletedMigrations(_ reader: some DatabaseReader) throws -> Bool {
        let applied = Set(try appliedMigrations(reader))
        return migrations.allSatisfy { applied.contains($0.identifier) }
    }

    private static func fetchAppliedIdentifiers(_ db: Database) throws -> [String] {
        let exists = try db.fetchScalar(
            Bool.self,
            sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'outpost_migrations'"
        ) ?? false
        guard exists else { return [] }
        return try db.fetchColumn(String.self, sql: "SELECT identifier FROM outpost_migrations ORDER BY rowid")
    }
}
