import Foundation
import OutpostCrypto
import OutpostModel
import OutpostStore

/// The server's SQLite database (WAL mode, one writer and several readers).
///
/// ```swift
/// let database = try ServerDatabase(path: "outpost.db")
/// let token = try database.addUser(name: "li", role: .sales, branch: "BJ")
/// ```
public final class ServerDatabase: Sendable {
    let pool: DatabasePool
    /// A random id for this database, part of every cursor.
    public let serverID: String
    /// The database's current epoch; a restore from backup begins a new one (SPEC §11.1).
    public let epoch: String
    /// Set when the file turned out, on opening, to be older than the one this server last used
    /// (copied back by hand): a new epoch began, as with `outpost-server restore` (SPEC §11.1).
    public let rollback: RollbackDetection?
    /// The sidecar marker `<path>.mark` (none for an in-memory database).
    let marker: RollbackMarkerKeeper?
    /// Concurrent pushes share its durable transactions (group commit).
    let pushGroups: GroupCommitter

    /// Opens (or creates) the database at `path` and applies migrations. A new database file is
    /// created readable by its owner only (0600): it holds every branch's records and the token
    /// hashes. SQLite gives its `-wal` and `-shm` files the same permissions.
    ///
    /// The sidecar marker `<path>.mark` records the highest seq issued; a file older than its marker
    /// (copied back by hand) begins a new epoch on opening, reported in ``rollback`` (SPEC §11.1).
    ///
    /// - Parameter pushGroupSize: the most concurrent pushes that share one durable transaction
    ///   (group commit); 1 commits every push on its own.
    public init(path: String, pushGroupSize: Int = ServerDatabase.defaultPushGroupSize) throws {
        Self.createOwnerOnly(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.synchronous = .full
        pool = try DatabasePool(path: path, configuration: configuration)
        pushGroups = GroupCommitter(pool: pool, maximumGroupSize: pushGroupSize)
        try ServerSchema.migrator.migrate(pool)
        // Savepoints of grouped pushes keep their undo pages in memory, not in temporary files.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        let markerPath = path.isEmpty || path == ":memory:" ? nil : RollbackMarker.path(for: path)
        let found = markerPath.flatMap(RollbackMarker.read)
        var newest: Int64 = 0
        (serverID, epoch, rollback) = try pool.write { db in
            func value(_ key: String) throws -> String {
                if let id: String = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = ?", arguments: [key]) { return id }
                let id = Hex.encode(SecureRandom.bytes(count: 8))
                try db.execute(sql: "INSERT INTO server_meta(key, value) VALUES (?, ?)", arguments: [key, id])
                return id
            }
            let serverID = try value("server_id")
            let (epoch, detection) = try Self.checkForRollback(db, serverID: serverID, epoch: try value("epoch"), marker: found)
            newest = try Self.highestSeq(db)
            return (serverID, epoch, detection)
        }
        marker = markerPath.map(RollbackMarkerKeeper.init(path:))
        marker?.note(serverID: serverID, epoch: epoch, seq: newest)
    }

    /// The most concurrent pushes one transaction takes by default.
    public static let defaultPushGroupSize = 64

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Creates an empty owner-only (0600) file at `path` unless something exists there already.
    static func createOwnerOnly(_ path: String) {
        guard !path.isEmpty, path != ":memory:", !FileManager.default.fileExists(atPath: path) else { return }
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
    }
}

/// A user account as stored on the server (the token itself is never stored).
public struct UserAccount: Sendable, Hashable {
    /// The state of an account (SPEC §8.2).
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Signs in and syncs.
        case active
        /// Refused until unfrozen; the token is kept (for someone likely to leave).
        case frozen
        /// Refused; only `user reactivate` brings the account back, with a new token.
        case deactivated
    }

    /// The user name.
    public var name: String
    /// The role.
    public var role: Role
    /// The home branch.
    public var branch: String
    /// When the account was created (UTC ms).
    public var createdAt: Int64
    /// When it was deactivated (UTC ms), if it is.
    public var revokedAt: Int64?
    /// The account's state.
    public var status: Status = .active
    /// Raised whenever what the user may read changes; part of the user's pull cursors (SPEC §11.2).
    public var scopeGeneration: Int64 = 0
    /// The end of the user's last pull or push (UTC ms), `nil` if never.
    public var lastSyncAt: Int64?

    /// Creates an account value.
    public init(name: String, role: Role, branch: String, createdAt: Int64, revokedAt: Int64? = nil, status: Status = .active,
                scopeGeneration: Int64 = 0, lastSyncAt: Int64? = nil) {
        self.name = name
        self.role = role
        self.branch = branch
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.status = status
        self.scopeGeneration = scopeGeneration
        self.lastSyncAt = lastSyncAt
    }

    /// The user's access scope.
    public var scope: AccessScope { AccessScope(role: role, branch: branch, user: name) }
}

/// Errors of user administration.
public enum UserAdminError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A user with this name exists already.
    case exists(String)
    /// No user has this name.
    case unknown(String)
    /// The name is not 1–64 letters, digits, `.`, `-` or `_`.
    case invalidName(String)
    /// The branch code is malformed.
    case invalidBranch(String)
    /// The account is deactivated: only `user reactivate` brings it back.
    case deactivated(String)
    /// The account is not in the state the command changes (e.g. unfreezing an active account).
    case notInState(String, UserAccount.Status)
    /// A reassignment names the same user twice, or a user who could not own the customers.
    case invalidReassignment(String)

    public var description: String {
        switch self {
        case .exists(let name): return "A user named '\(name)' exists already. Use `user rotate \(name)` for a new token."
        case .unknown(let name): return "There is no user named '\(name)'."
        case .invalidName(let name): return "'\(name)' is not a valid user name: use 1–64 letters, digits, '.', '-' or '_'."
        case .invalidBranch(let branch): return "'\(branch)' is not a valid branch code: use 1–32 letters, digits, '-' or '_'."
        case .deactivated(let name):
            return "\(name)'s account is deactivated, so no new token is issued. Use `user reactivate \(name)` if they are back."
        case .notInState(let name, let status): return "\(name)'s account is not \(status.rawValue)."
        case .invalidReassignment(let reason): return reason
        }
    }
}

extension ServerDatabase {
    /// Creates a user and returns their new token (shown once; only its SHA-256 is stored).
    public func addUser(name: String, role: Role, branch: String, actor: String = "server") throws -> String {
        guard UserName.isValid(name) else { throw UserAdminError.invalidName(name) }
        guard Branch.isValid(branch) else { throw UserAdminError.invalidBranch(branch) }
        let token = AccessToken.generate()
        try pool.write { db in
            let exists: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM users WHERE name = ?", arguments: [name]) ?? 0
            guard exists == 0 else { throw UserAdminError.exists(name) }
            try db.execute(sql: "INSERT INTO users(name, role, branch, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, role.rawValue, branch, AccessToken.hash(token), Self.nowMillis()])
            try Self.audit(db, actor: actor, action: "user.add", subject: name, branch: branch, detail: "role \(role.rawValue)")
        }
        return token
    }

    /// Issues a new token for a user (the old one stops working at once) and returns it. A
    /// deactivated user gets none (``UserAdminError/deactivated(_:)``): use ``reactivateUser(name:actor:)``.
    public func rotateToken(name: String, actor: String = "server") throws -> String {
        let token = AccessToken.generate()
        try pool.write { db in
            let user = try Self.user(db, name)
            guard user.status != .deactivated else { throw UserAdminError.deactivated(name) }
            try db.execute(sql: "UPDATE users SET token_hash = ? WHERE name = ?", arguments: [AccessToken.hash(token), name])
            try Self.audit(db, actor: actor, action: "user.rotate", subject: name, branch: user.branch, detail: "new token")
        }
        return token
    }

    /// Deactivates a user: every request with their token is refused from now on (the same transaction).
    public func revokeUser(name: String, actor: String = "server") throws {
        try deactivateUser(name: name, actor: actor)
    }

    /// Deactivates a user at once (someone who left). Idempotent. Their devices' next requests get 401.
    public func deactivateUser(name: String, actor: String = "server") throws {
        try pool.write { db in
            let user = try Self.user(db, name)
            guard user.status != .deactivated else { return }
            try db.execute(sql: "UPDATE users SET status = 'deactivated', revoked_at = ? WHERE name = ?", arguments: [Self.nowMillis(), name])
            try Self.audit(db, actor: actor, action: "user.deactivate", subject: name, branch: user.branch, detail: "was \(user.status.rawValue)")
        }
    }

    /// Brings a deactivated user back with a new token (returned; the old one stays dead).
    public func reactivateUser(name: String, actor: String = "server") throws -> String {
        let token = AccessToken.generate()
        try pool.write { db in
            let user = try Self.user(db, name)
            guard user.status == .deactivated else { throw UserAdminError.notInState(name, .deactivated) }
            try db.execute(sql: "UPDATE users SET status = 'active', revoked_at = NULL, token_hash = ?, scope_gen = scope_gen + 1 WHERE name = ?",
                           arguments: [AccessToken.hash(token), name])
            try Self.audit(db, actor: actor, action: "user.reactivate", subject: name, branch: user.branch, detail: "new token")
        }
        return token
    }

    /// Freezes an active user (refused at once, token kept), or unfreezes a frozen one (`frozen: false`).
    public func setFrozen(name: String, _ frozen: Bool, actor: String = "server") throws {
        try pool.write { db in
            let user = try Self.user(db, name)
            let from: UserAccount.Status = frozen ? .active : .frozen
            guard user.status == from else {
                if user.status == .deactivated { throw UserAdminError.deactivated(name) }
                throw UserAdminError.notInState(name, from)
            }
            try db.execute(sql: "UPDATE users SET status = ? WHERE name = ?", arguments: [frozen ? "frozen" : "active", name])
            try Self.audit(db, actor: actor, action: frozen ? "user.freeze" : "user.unfreeze", subject: name, branch: user.branch, detail: "")
        }
    }

    /// Changes a user's role and/or home branch at once. What they may read changes with it: their
    /// devices re-scope on the next sync (SPEC §11.2). Returns the account as changed.
    @discardableResult
    public func setUser(name: String, role: Role?, branch: String?, actor: String = "server") throws -> UserAccount {
        if let branch, !Branch.isValid(branch) { throw UserAdminError.invalidBranch(branch) }
        return try pool.write { db in
            let user = try Self.user(db, name)
            let newRole = role ?? user.role
            let newBranch = branch ?? user.branch
            guard newRole != user.role || newBranch != user.branch else { return user }
            try db.execute(sql: "UPDATE users SET role = ?, branch = ?, scope_gen = scope_gen + 1 WHERE name = ?",
                           arguments: [newRole.rawValue, newBranch, name])
            try Self.audit(db, actor: actor, action: "user.set", subject: name, branch: newBranch,
                           detail: "role \(user.role.rawValue) → \(newRole.rawValue), branch \(user.branch) → \(newBranch)")
            return try Self.user(db, name)
        }
    }

    /// Every user, by name.
    public func users() throws -> [UserAccount] {
        try pool.read { db in
            try db.fetchAll(sql: "SELECT \(Self.userColumns) FROM users ORDER BY name").compactMap(Self.account)
        }
    }

    /// Users who have not synced for `days` days (never-synced users count from their creation), by name.
    public func inactiveUsers(days: Int, now: Int64? = nil) throws -> [UserAccount] {
        let limit = (now ?? Self.nowMillis()) - Int64(days) * 86_400_000
        return try users().filter { ($0.lastSyncAt ?? $0.createdAt) <= limit && $0.status != .deactivated }
    }

    /// The live account a token belongs to, or `nil` when unknown, frozen or deactivated.
    public func authenticate(token: String) throws -> UserAccount? {
        guard let user = try account(token: token), user.status == .active else { return nil }
        return user
    }

    /// The account a token belongs to, whatever its state (`nil` when unknown).
    public func account(token: String) throws -> UserAccount? {
        let hash = AccessToken.hash(token)
        return try pool.read { db in
            try db.cachedStatement(sql: "SELECT \(Self.userColumns) FROM users WHERE token_hash = ?")
                .fetchOne(arguments: [hash]).flatMap(Self.account)
        }
    }

    /// Notes that `user` synced now (for `user list --inactive`).
    public func noteSync(user: String) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "UPDATE users SET last_sync_at = ? WHERE name = ?").execute(arguments: [Self.nowMillis(), user])
        }
    }

    static let userColumns = "name, role, branch, created_at, revoked_at, status, scope_gen, last_sync_at"

    static func account(_ row: Row) -> UserAccount? {
        guard let role = Role(rawValue: row[1] ?? "") else { return nil }
        return UserAccount(name: row[0] ?? "", role: role, branch: row[2] ?? "", createdAt: row[3] ?? 0, revokedAt: row[4],
                           status: UserAccount.Status(rawValue: row[5] ?? "") ?? .deactivated, scopeGeneration: row[6] ?? 0,
                           lastSyncAt: row[7])
    }

    static func user(_ db: Database, _ name: String) throws -> UserAccount {
        guard let row = try db.fetchOne(sql: "SELECT \(userColumns) FROM users WHERE name = ?", arguments: [name]),
              let user = account(row)
        else { throw UserAdminError.unknown(name) }
        return user
    }
}
