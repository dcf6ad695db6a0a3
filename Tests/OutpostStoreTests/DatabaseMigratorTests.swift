import Testing
@testable import OutpostStore

private struct MigrationFailure: Error {}

@Suite("DatabaseMigrator")
struct DatabaseMigratorTests {
    private func tables(_ writer: some DatabaseWriter) throws -> [String] {
        try writer.read { db throws in
            try db.fetchColumn(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'outpost_%' ORDER BY name")
        }
    }

    @Test("Migrations apply once, in registration order, and are recorded")
    func migrationsApplyInOrder() throws {
        let runs = LockedBox<[String]>([])
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2024-01 create users") { db throws in
            runs.value.append("users")
            try db.execute(sql: "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)")
        }
        migrator.registerMigration("2024-02 add email") { db throws in
            runs.value.append("email")
            try db.execute(sql: "ALTER TABLE users ADD COLUMN email TEXT")  // needs the first one
        }
        migrator.registerMigration("2024-03 create notes") { db throws in
            runs.value.append("notes")
            #expect(db.isInsideTransaction)
            try db.execute(sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY)")
        }
        let queue = try DatabaseQueue()
        #expect(try migrator.appliedMigrations(queue) == [])
        #expect(try !migrator.hasCompletedMigrations(queue))

        try migrator.migrate(queue)

        #expect(runs.value == ["users", "email", "notes"])
        #expect(try migrator.appliedMigrations(queue) == migrator.migrationIdentifiers)
        #expect(try migrator.hasCompletedMigrations(queue))
        #expect(try tables(queue) == ["notes", "users"])
    }

    @Test("Re-running migrate is a no-op; newly registered migrations run alone")
    func rerunIsNoOp() throws {
        let runs = LockedBox(0)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db throws in
            runs.value += 1
            try db.execute(sql: "CREATE TABLE t(x)")
        }
        try withTemporaryDatabasePath { path in
            let pool = try DatabasePool(path: path)
            try migrator.migrate(pool)
            try migrator.migrate(pool)
            #expect(runs.value == 1)

            migrator.registerMigration("v2") { db throws in
                runs.value += 10
                try db.execute(sql: "CREATE TABLE u(x)")
            }
            try migrator.migrate(DatabaseQueue(path: path))  // same file, another writer
            #expect(runs.value == 11)
            #expect(try migrator.appliedMigrations(pool) == ["v1", "v2"])
        }
    }

    @Test("A failing migration leaves none of its changes, stops later ones, keeps earlier ones")
    func failingMigrationIsRolledBack() throws {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in try db.execute(sql: "CREATE TABLE a(x)") }
        migrator.registerMigration("v2") { db throws in
            try db.execute(sql: "CREATE TABLE b(x)")
            try db.execute(sql: "INSERT INTO a VALUES (1)")
            throw MigrationFailure()
        }
        migrator.registerMigration("v3") { db in try db.execute(sql: "CREATE TABLE c(x)") }

        #expect(throws: MigrationFailure.self) { try migrator.migrate(queue) }

        #expect(try migrator.appliedMigrations(queue) == ["v1"])
        #expect(try tables(queue) == ["a"])
        #expect(try queue.read { db in try db.fetchScalar(Int.self, sql: "SELECT COUNT(*) FROM a") } == 0)

        var fixed = DatabaseMigrator()
        fixed.registerMigration("v1") { _ in Issue.record("v1 must not run twice") }
        fixed.registerMigration("v2") { db in try db.execute(sql: "CREATE TABLE b(x)") }
        fixed.registerMigration("v3") { db in try db.execute(sql: "CREATE TABLE c(x)") }
        try fixed.migrate(queue)
        #expect(try fixed.appliedMigrations(queue) == ["v1", "v2", "v3"])
        #expect(try tables(queue) == ["a", "b", "c"])
    }
}
