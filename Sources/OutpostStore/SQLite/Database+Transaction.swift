import CSQLite

/// How a transaction acquires locks (`BEGIN DEFERRED | IMMEDIATE | EXCLUSIVE`).
///
/// ```swift
/// try db.inTransaction(.deferred) { db in ... }
/// ```
public enum TransactionKind: String, Sendable, Hashable {
    /// Locks are taken on first read / first write.
    /// ```swift
    /// try db.inTransaction(.deferred) { db in ... }
    /// ```
    case deferred = "DEFERRED"
    /// The write lock is taken immediately, so the transaction cannot fail
    /// later with `.busy` when it starts writing. Default for writes.
    /// ```swift
    /// try db.inTransaction(.immediate) { db in ... }
    /// ```
    case immediate = "IMMEDIATE"
    /// Like `.immediate`; in WAL mode identical to it.
    /// ```swift
    /// try db.inTransaction(.exclusive) { db in ... }
    /// ```
    case exclusive = "EXCLUSIVE"
}

extension Database {
    /// `true` while a transaction is open on this connection.
    ///
    /// ```swift
    /// try queue.write { db in assert(db.isInsideTransaction) }
    /// ```
    public var isInsideTransaction: Bool { sqlite3_get_autocommit(sqliteConnection) == 0 }

    /// Runs `body` in a transaction: commits if it returns, rolls back if it
    /// (or the commit) throws, then rethrows. Throws if a transaction is
    /// already open: use ``inSavepoint(_:)`` to nest.
    ///
    /// ```swift
    /// try queue.writeWithoutTransaction { db in
    ///     try db.inTransaction { db in
    ///         try db.execute(sql: "UPDATE accounts SET balance = balance - 10 WHERE id = 1")
    ///         try db.execute(sql: "UPDATE accounts SET balance = balance + 10 WHERE id = 2")
    ///     }
    /// }
    /// ```
    public func inTransaction<T>(
        _ kind: TransactionKind = .immediate, _ body: (Database) throws -> T
    ) throws -> T {
        try execute(sql: "BEGIN \(kind.rawValue) TRANSACTION")
        do {
            let result = try body(self)
            try execute(sql: "COMMIT TRANSACTION")
            return result
        } catch {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL).
            if isInsideTransaction {
                try? execute(sql: "ROLLBACK TRANSACTION")
            }
            throw error
        }
    }

    /// Runs `body` inside a savepoint: released if it returns, rolled back
    /// (only its own changes) if it throws, then rethrows. Nests freely inside
    /// transactions and other savepoints; outside a transaction it behaves as
    /// a deferred transaction.
    ///
    /// ```swift
    /// try queue.write { db in
    ///     try db.execute(sql: "INSERT INTO log(msg) VALUES ('kept')")
    ///     try? db.inSavepoint { db in
    ///         try db.execute(sql: "INSERT INTO log(msg) VALUES ('undone')")
    ///         throw CancellationError()
    ///     }
    /// }
    /// ```
    public func inSavepoint<T>(_ body: (Database) throws -> T) throws -> T {
        // Same name at every depth: ROLLBACK TO / RELEASE target the innermost.
        try execute(sql: "SAVEPOINT outpost_savepoint")
        do {
            let result = try body(self)
            try execute(sql: "RELEASE SAVEPOINT outpost_savepoint")
            return result
        } catch {
            if isInsideTransaction {
                try? execute(sql: "ROLLBACK TRANSACTION TO SAVEPOINT outpost_savepoint")
                try? execute(sql: "RELEASE SAVEPOINT outpost_savepoint")
            }
            throw error
        }
    }
}
