import Foundation
import OutpostCrypto
import OutpostModel
import OutpostStore

/// Backups and restores of the server database (SPEC §11.1, README "Backups").
///
/// ```swift
/// let summary = try ServerDatabase.backup(databaseAt: "outpost.db", to: "nightly.db")   // while serving
/// let restored = try ServerDatabase.restore(from: "nightly.db", to: "outpost.db")      // server stopped
/// ```
extension ServerDatabase {
    /// What a backup or restore did.
    public struct BackupSummary: Sendable, Hashable {
        /// Records in the copy.
        public var records: Int
        /// Size of the copy in bytes.
        public var bytes: Int64
        /// The server database id of the copy.
        public var serverID: String
        /// The copy's epoch (for a restore: the new epoch that begins).
        public var epoch: String
        /// For a restore: where the replaced database file was kept, if there was one.
        public var keptReplacedFile: String?
    }

    /// Writes a consistent copy of the database at `path` to `destination`, while a server may be
    /// using it: the copy is one snapshot (`VACUUM INTO`), so a push is either wholly in it or not at
    /// all, and pushes are not blocked meanwhile.
    ///
    /// - Throws: ``BackupError`` when `destination` exists, or `path` is missing or not an Outpost database.
    public static func backup(databaseAt path: String, to destination: String) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.sourceMissing(path) }
        guard !FileManager.default.fileExists(atPath: destination) else { throw BackupError.destinationExists(destination) }
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: path, configuration: configuration)
        createOwnerOnly(destination)  // VACUUM INTO fills an empty file and keeps its permissions
        try source.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
        }
        return try summary(of: destination)
    }

    /// Replaces the database at `path` by the backup at `backup`, and begins a new epoch: clients
    /// that synced with the server after the backup was taken notice (their cursors are answered
    /// with 409 `recovery_required`) and re-offer what the backup lacks (SPEC §11.1). The server
    /// id stays; the backup's epoch and every earlier one are remembered so recovery pushes can
    /// name them. The replaced file is kept as `<path>.before-restore-<epoch>`.
    ///
    /// Run it while no server uses `path` (``ServerDatabaseLock``).
    public static func restore(from backup: String, to path: String) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: backup) else { throw BackupError.sourceMissing(backup) }
        let copy = try summary(of: backup)
        var earlier: Set<String> = [copy.epoch]
        earlier.formUnion(try epochs(inDatabaseAt: backup))
        let files = FileManager.default
        let temporary = path + ".restoring"
        try? files.removeItem(atPath: temporary)
        createOwnerOnly(temporary)
        // Copied through SQLite, so a backup that was opened since (and has a write-ahead log) restores whole.
        var configuration = Configuration()
        configuration.readonly = true
        try DatabaseQueue(path: backup, configuration: configuration).writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [temporary])
        }
        var kept: String?
        if files.fileExists(atPath: path) {
            // The replaced database's epochs are earlier epochs too (clients may have synced in them).
            if let current = try? summary(of: path), current.serverID == copy.serverID {
                earlier.insert(current.epoch)
                earlier.formUnion((try? epochs(inDatabaseAt: path)) ?? [])
            }
            let keptPath = path + ".before-restore-\(nowMillis())"
            try files.moveItem(atPath: path, toPath: keptPath)
            for suffix in ["-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
                try files.moveItem(atPath: path + suffix, toPath: keptPath + suffix)
            }
            kept = keptPath
        }
        try files.moveItem(atPath: temporary, toPath: path)
        // The old marker describes the replaced file; the restored one gets its own below.
        try? files.removeItem(atPath: RollbackMarker.path(for: path))
        let newEpoch = Hex.encode(SecureRandom.bytes(count: 8))
        let database = try ServerDatabase(path: path)
        try database.pool.write { db in
            for epoch in earlier.sorted() {
                try db.execute(sql: "INSERT INTO epochs(epoch, ended_at) VALUES (?, ?) ON CONFLICT(epoch) DO NOTHING",
                               arguments: [epoch, nowMillis()])
            }
            try setMeta(db, "epoch", newEpoch)
        }
        try database.checkpoint()
        try RollbackMarker(serverID: copy.serverID, epoch: newEpoch, seq: try database.newestSeq())
            .write(to: RollbackMarker.path(for: path))
        var result = try summary(of: path)
        result.epoch = newEpoch
        result.keptReplacedFile = kept
        return result
    }

    /// Begins a new epoch of this database (SPEC §11.1) after it was restored with the database's
    /// own tools (a PostgreSQL database put back with `pg_restore`): the current epoch becomes an
    /// earlier one, so clients that synced since the backup run the recovery sync. Run it while no
    /// server instance uses the database; returns the new epoch.
    @discardableResult
    public func beginNewEpoch() throws -> String {
        let newEpoch = Hex.encode(SecureRandom.bytes(count: 8))
        try pool.write { db in
            try db.execute(sql: "INSERT INTO epochs(epoch, ended_at) VALUES (?, ?) ON CONFLICT(epoch) DO NOTHING",
                           arguments: [epoch, Self.nowMillis()])
            try Self.setMeta(db, "epoch", newEpoch)
        }
        return newEpoch
    }

    /// Moves every change from the write-ahead log into the database file and empties the log, so
    /// the database file alone holds all data, and brings the sidecar marker (`<database>.mark`,
    /// SPEC §11.1) up to date. Called when the server stops gracefully.
    public func checkpoint() throws {
        try pool.checkpoint()
        noteIssued(seq: try newestSeq())
    }

    /// Reads the id, epoch and record count of an Outpost database file without changing it.
    static func summary(of path: String) throws -> BackupSummary {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        do {
            return try queue.read { db in
                guard let serverID: String = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'server_id'"),
                    let epoch: String = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'epoch'")
                else { throw BackupError.notAnOutpostDatabase(path) }
                let records: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
                return BackupSummary(records: records, bytes: size, serverID: serverID, epoch: epoch, keptReplacedFile: nil)
            }
        } catch let error as BackupError {
            throw error
        } catch {
            throw BackupError.notAnOutpostDatabase(path)
        }
    }

    /// The epochs table of a database file (empty when it has none yet).
    static func epochs(inDatabaseAt path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            let exists: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'epochs'") ?? 0
            guard exists == 1 else { return [] }
            return try db.fetchColumn(sql: "SELECT epoch FROM epochs")
        }
    }
}

/// Errors of `outpost-server backup` and `restore`.
public enum BackupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The backup file exists already (backups never overwrite).
    case destinationExists(String)
    /// The database or backup file does not exist.
    case sourceMissing(String)
    /// The file is not an Outpost server database.
    case notAnOutpostDatabase(String)
    /// An `outpost-server serve` process is using the database.
    case databaseInUse(String)

    public var description: String {
        switch self {
        case .destinationExists(let path): return "\(path) exists already. Choose a new file name; a backup never overwrites a file."
        case .sourceMissing(let path): return "There is no database file at \(path)."
        case .notAnOutpostDatabase(let path): return "\(path) is not an Outpost server database (or it is damaged)."
        case .databaseInUse(let path):
            return "An outpost-server is running on \(path). Stop it first (Ctrl-C or SIGTERM) and try again."
        }
    }
}

/// An advisory lock (`<database>.lock`) held by `outpost-server serve` for as long as it runs, so
/// `restore` can refuse to replace a database in use. The operating system releases it when the
/// process ends, however it ends.
///
/// ```swift
/// let lock = try ServerDatabaseLock(databasePath: "outpost.db")   // throws BackupError.databaseInUse
/// ```
public final class ServerDatabaseLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock, or throws ``BackupError/databaseInUse(_:)`` when a running server holds it.
    public init(databasePath: String) throws {
        let fd = open(databasePath + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BackupError.databaseInUse(databasePath) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw BackupError.databaseInUse(databasePath)
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
