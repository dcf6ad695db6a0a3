/// The server's tables on PostgreSQL: one migration per SQLite migration of ``ServerSchema``, with
/// the same identifier, in the portable SQL that ``PostgresTranslation`` rewrites (so `INTEGER`
/// columns are 64-bit and text compares bytewise, as in SQLite). Steps that only fix up data
/// SQLite databases held before the migration (with SQLite's JSON functions) have no counterpart:
/// a PostgreSQL database starts empty at the first migration.
///
/// A test checks that both lists name the same migrations in the same order: append a
/// counterpart here whenever a migration is appended to ``ServerSchema``.
public enum PostgresSchema {
    /// One migration: its identifier (as in ``ServerSchema``) and its statements, in order.
    public struct Migration: Sendable {
        /// The identifier, equal to the SQLite migration's.
        public var identifier: String
        /// The statements (portable SQL).
        public var statements: [String]
    }

    /// The table recording which migrations were applied.
    static let appliedTable = "outpost_migrations"

    /// Every migration, oldest first.
    public static let migrations: [Migration] = [
        Migration(identifier: "v1 users, records, batches", statements: [
            "CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE users (
              name TEXT PRIMARY KEY, role TEXT NOT NULL, branch TEXT NOT NULL,
              token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER)
            """,
            """
            CREATE TABLE records (
              id TEXT PRIMARY KEY, type TEXT NOT NULL, branch TEXT NOT NULL,
              seq INTEGER NOT NULL UNIQUE, state TEXT NOT NULL,
              deleted INTEGER NOT NULL, conflicted INTEGER NOT NULL)
            """,
            "CREATE INDEX records_by_branch_seq ON records(branch, seq)",
            """
            CREATE TABLE batches (
              user TEXT NOT NULL, batch TEXT NOT NULL, body_hash TEXT NOT NULL, response TEXT NOT NULL,
              applied_at INTEGER NOT NULL, PRIMARY KEY (user, batch))
            """,
        ]),
        Migration(identifier: "v2 nodes and epochs", statements: [
            """
            CREATE TABLE nodes (
              node TEXT PRIMARY KEY, user TEXT NOT NULL, last_batch TEXT, epoch TEXT NOT NULL,
              enrolled_at INTEGER NOT NULL, last_push_at INTEGER NOT NULL)
            """,
            "CREATE TABLE epochs (epoch TEXT PRIMARY KEY, ended_at INTEGER NOT NULL)",
        ]),
        Migration(identifier: "v3 scope: ownership, account states, audit", statements: [
            "ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'",
            "ALTER TABLE users ADD COLUMN scope_gen INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN last_sync_at INTEGER",
            "ALTER TABLE records ADD COLUMN customer TEXT",
            "CREATE INDEX records_by_customer ON records(customer, seq)",
            "CREATE TABLE customer_access (customer TEXT NOT NULL, user TEXT NOT NULL, PRIMARY KEY (customer, user))",
            "CREATE INDEX customer_access_by_user ON customer_access(user, customer)",
            """
            CREATE TABLE audit (
              id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
              action TEXT NOT NULL, subject TEXT NOT NULL, branch TEXT NOT NULL, detail TEXT NOT NULL)
            """,
        ]),
        Migration(identifier: "v4 policy document and customer code leases", statements: [
            """
            CREATE TABLE policy (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, body TEXT NOT NULL,
                                 updated_at INTEGER NOT NULL)
            """,
            "CREATE TABLE code_series (branch TEXT NOT NULL, year INTEGER NOT NULL, next INTEGER NOT NULL, PRIMARY KEY (branch, year))",
            """
            CREATE TABLE code_leases (lease TEXT PRIMARY KEY, user TEXT NOT NULL, branch TEXT NOT NULL, year INTEGER NOT NULL,
                                      first INTEGER NOT NULL, last INTEGER NOT NULL, scheme TEXT NOT NULL, leased_at INTEGER NOT NULL)
            """,
        ]),
        Migration(identifier: "v5 bounded growth: one stored push answer per node", statements: [
            "ALTER TABLE nodes ADD COLUMN pushes INTEGER NOT NULL DEFAULT 0",
            """
            DELETE FROM batches WHERE NOT EXISTS (
              SELECT 1 FROM nodes WHERE nodes.user = batches.user AND nodes.last_batch = batches.batch)
            """,
        ]),
        Migration(identifier: "v6 tombstone purge", statements: [
            "ALTER TABLE records ADD COLUMN deleted_at INTEGER",
            "CREATE TABLE purged_records (id TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
        ]),
    ]

    /// Applies the migrations `session` has not applied yet, inside the caller's (serialised) write
    /// transaction, so instances starting together migrate once.
    static func migrate(_ session: any SQLSession) throws {
        try session.execute(sql: "CREATE TABLE IF NOT EXISTS \(appliedTable) (identifier TEXT PRIMARY KEY)")
        let applied = Set(try session.fetchColumn(sql: "SELECT identifier FROM \(appliedTable)") as [String])
        for migration in migrations where !applied.contains(migration.identifier) {
            for statement in migration.statements { try session.execute(sql: statement) }
            try session.execute(sql: "INSERT INTO \(appliedTable)(identifier) VALUES (?)", arguments: [migration.identifier])
        }
    }
}
