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

    /// Opens (or creates) the database at `path` and applies migrations. A new database file is
    /// created readable by its owner only (0600): it holds every branch's records and the token
    /// hashes. SQLite gives its `-wal` and `-shm` files the same permissions.
    public init(path: String) throws {
        Self.createOwnerOnly(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.synchronous = .full
        pool = try DatabasePool(path: path, configuration: configuration)
        try ServerSchema.migrator.migrate(pool)
        (serverID, epoch) = try pool.write { db in
            func value(_ key: String) throws -> String {
                if let id: String = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = ?", arguments: [key]) { return id }
                let id = Hex.encode(SecureRandom.bytes(count: 8))
                try db.execute(sql: "INSERT INTO server_meta(key, value) VALUES (?, ?)", arguments: [key, id])
                return id
            }
            return (try value("server_id"), try value("epoch"))
        }
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Creates an empty owner-only (0600) file at `path` unless something exists there already.
    static func createOwnerOnly(_ path: String) {
        guard !path.isEmpty, path != ":memory:", !FileManager.default.fileExists(atPath: path) else { return }
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
    }
}

/// A user account as stored on the server (the token itself is never stored).
public struct UserAccount: Sendable, Hashable {
    /// The user name.
    public var name: String
    /// The role.
    public var role: Role
    /// The home branch.
    public var branch: String
    /// When the account was created (UTC ms).
    public var createdAt: Int64
    /// When its token was revoked (UTC ms), if it was.
    public var revokedAt: Int64?

    /// The user's access scope.
    public var scope: AccessScope { AccessScope(role: role, branch: branch) }
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

    public var description: String {
        switch self {
        case .exists(let name): return "A user named '\(name)' exists already. Use `user rotate \(name)` for a new token."
        case .unknown(let name): return "There is no user named '\(name)'."
        case .invalidName(let name): return "'\(name)' is not a valid user name: use 1–64 letters, digits, '.', '-' or '_'."
        case .invalidBranch(let branch): return "'\(branch)' is not a valid branch code: use 1–32 letters, digits, '-' or '_'."
        }
    }
}

extension ServerDatabase {
    /// Creates a user and returns their new token (shown once; only its SHA-256 is stored).
    public func addUser(name: String, role: Role, branch: String) throws -> String {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }) else {
            throw UserAdminError.invalidName(name)
        }
        guard Branch.isValid(branch) else { throw UserAdminError.invalidBranch(branch) }
        let token = AccessToken.generate()
        try pool.write { db in
            let exists: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM users WHERE name = ?", arguments: [name]) ?? 0
            guard exists == 0 else { throw UserAdminError.exists(name) }
            try db.execute(sql: "INSERT INTO users(name, role, branch, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, role.rawValue, branch, AccessToken.hash(token), Self.nowMillis()])
        }
        return token
    }

    /// Issues a new token for a user (the old one stops working at once) and returns it.
    public func rotateToken(name: String) throws -> String {
        let token = AccessToken.generate()
        try pool.write { db in
            try db.execute(sql: "UPDATE users SET token_hash = ?, revoked_at = NULL WHERE name = ?",
                           arguments: [AccessToken.hash(token), name])
            guard db.changesCount == 1 else { throw UserAdminError.unknown(name) }
        }
        return token
    }

    /// Revokes a user's token; requests with it are refused from now on.
    public func revokeUser(name: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                           arguments: [Self.nowMillis(), name])
            if db.changesCount == 0 {
                let exists: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM users WHERE name = ?", arguments: [name]) ?? 0
                if exists == 0 { throw UserAdminError.unknown(name) }
            }
        }
    }

    /// Every user, by name.
    public func users() throws -> [UserAccount] {
        try pool.read { db in
            try db.fetchAll(sql: "SELECT name, role, branch, created_at, revoked_at FROM users ORDER BY name").map { row in
                UserAccount(name: row[0] ?? "", role: Role(rawValue: row[1] ?? "") ?? .auditor, branch: row[2] ?? "",
                            createdAt: row[3] ?? 0, revokedAt: row[4])
            }
        }
    }

    /// The live account a token belongs to, or `nil` when unknown or revoked.
    public func authenticate(token: String) throws -> UserAccount? {
        let hash = AccessToken.hash(token)
        return try pool.read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT name, role, branch, created_at FROM users WHERE token_hash = ? AND revoked_at IS NULL")
            guard let row = try statement.fetchOne(arguments: [hash]), let role = Role(rawValue: row[1] ?? "") else { return nil }
            return UserAccount(name: row[0] ?? "", role: role, branch: row[2] ?? "", createdAt: row[3] ?? 0, revokedAt: nil)
        }
    }
}
