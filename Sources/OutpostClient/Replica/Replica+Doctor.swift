import Foundation
import OutpostJSON
import OutpostModel
import OutpostStore

/// What ``Replica/integrityCheck()`` found in a replica file.
///
/// ```swift
/// let report = Replica.integrityCheck(path: path)
/// if !report.isHealthy { print(report.storageProblems) }
/// ```
public struct ReplicaIntegrityReport: Sendable, Hashable {
    /// SQLite's findings (`PRAGMA integrity_check`), or why the file could not be read at all.
    /// Empty when every page is sound.
    public var storageProblems: [String] = []
    /// Records whose stored envelope cannot be decoded.
    public var unreadableRecords: [RecordID] = []
    /// Records whose stored envelope was read and decoded.
    public var readableRecords = 0

    /// `true` when nothing is wrong.
    public var isHealthy: Bool { storageProblems.isEmpty && unreadableRecords.isEmpty }
}

/// What ``Replica/repair(path:wallClock:)`` did.
///
/// ```swift
/// let report = try Replica.repair(path: path)
/// print("kept \(report.salvaged.count) unsent edits, lost \(report.lost.count)")
/// ```
public struct ReplicaRepairReport: Sendable, Hashable {
    /// Where the damaged file was moved (its `-wal` and `-shm` files, if any, moved with it).
    public var damagedFile: String
    /// The damaged replica's node id, when it could be read.
    public var previousNode: NodeID?
    /// The rebuilt replica's node id: always a new one, so no write counter is ever reused.
    public var node: NodeID
    /// The server, user and token read back from the damaged file and stored in the new one;
    /// `nil` when they could not be read (then the device must be set up again with `init`).
    public var settings: ReplicaSettings?
    /// Unsent edits read back and queued again as local edits waiting to sync.
    public var salvaged: [Record]
    /// Edits the server had refused, read back and queued again like the others: the next sync
    /// offers them once more, and sets them aside again if the server still refuses them.
    public var salvagedRefused: [Record]
    /// Unsent or refused edits whose record could not be read: lost, unless the server or
    /// another device holds them (their last synced version comes back with the next sync).
    public var lost: [RecordID]
    /// `false` when the list of unsent edits (the outbox and the refused edits) could not itself
    /// be read to the end: edits neither salvaged nor listed as lost may be missing.
    public var outboxComplete: Bool
}

extension Replica {
    // MARK: Checking

    /// Checks every page of the replica file (SQLite's `PRAGMA integrity_check`) and that every
    /// stored record envelope decodes.
    ///
    /// ```swift
    /// let report = try replica.integrityCheck()
    /// if !report.isHealthy { try Replica.repair(path: path) }
    /// ```
    public func integrityCheck() throws -> ReplicaIntegrityReport {
        try queue.read { db in Self.check(db) }
    }

    /// Checks the replica file at `path` without opening it as a replica (so it works when the
    /// file is too damaged to open). Failing to read the file is reported, not thrown.
    ///
    /// ```swift
    /// let report = Replica.integrityCheck(path: "replica.db")
    /// ```
    public static func integrityCheck(path: String) -> ReplicaIntegrityReport {
        guard FileManager.default.fileExists(atPath: path) else {
            return ReplicaIntegrityReport(storageProblems: ["there is no replica file at \(path)"])
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: salvageConfiguration)
            return try queue.read { db in check(db) }
        } catch {
            return ReplicaIntegrityReport(storageProblems: [problem(error)])
        }
    }

    /// A read-only connection: checking or salvaging never writes to (or checkpoints into) a damaged file.
    static var salvageConfiguration: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyTimeout = .seconds(2)
        return configuration
    }

    static func check(_ db: Database) -> ReplicaIntegrityReport {
        var report = ReplicaIntegrityReport()
        do {
            report.storageProblems = try db.fetchColumn(String.self, sql: "PRAGMA integrity_check(100)").filter { $0 != "ok" }
        } catch {
            report.storageProblems.append(problem(error))
        }
        let complete = readRows(db, "SELECT id, state FROM records") { row in
            let id = RecordID(unchecked: row.text(at: 0))
            do {
                _ = try row.withUnsafeBlob(at: 1) { try RecordTable.decode($0, id: id) }
                report.readableRecords += 1
            } catch {
                report.unreadableRecords.append(id)
            }
        }
        if !complete { report.storageProblems.append("the stored records cannot all be read") }
        return report
    }

    /// A short account of an error met while reading a damaged file.
    static func problem(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.resultCode.description }
        return String(describing: error)
    }

    /// Steps through the rows of `sql`, handing each to `body`, until the end or the first error.
    /// Returns `true` when the end was reached.
    static func readRows(_ db: Database, _ sql: String, arguments: StatementArguments = [], _ body: (Statement) -> Void) -> Bool {
        do {
            let statement = try db.makeStatement(sql: sql)
            try statement.bind(arguments)
            while try statement.step() { body(statement) }
            return true
        } catch {
            return false
        }
    }

    // MARK: Repairing

    /// Rebuilds a damaged replica file. Every unsent edit (outbox records and edits the server
    /// refused) that can still be read is kept; the damaged file is moved aside to
    /// `<path>.damaged-<time>`; a fresh replica is created at `path` with the same server, user
    /// and token and a **new** node id; the kept edits (refused ones included) are stored in it as
    /// local edits waiting to sync. The next sync sends them and pulls everything else from the
    /// server.
    ///
    /// No connection to the replica may be open while it is repaired.
    ///
    /// ```swift
    /// let report = try Replica.repair(path: path)
    /// let replica = try Replica(path: path)   // then sync
    /// ```
    ///
    /// - Throws: ``ReplicaError/cannotRepair(_:)`` when there is no file at `path` or it cannot be
    ///   moved aside; errors creating the new replica. The damaged file is never deleted.
    @discardableResult
    public static func repair(path: String, wallClock: @escaping @Sendable () -> Int64 = Replica.systemMillis) throws -> ReplicaRepairReport {
        guard path != ":memory:", !path.isEmpty, FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError.cannotRepair(.noReplicaFile(path: path))
        }
        // The connection to the damaged file is closed before it is moved.
        let salvage = Salvage(path: path)
        let damagedFile = try moveAside(path, now: wallClock())
        let rebuilt: (node: NodeID, salvaged: [Record], refused: [Record], lost: [RecordID])
        do {
            rebuilt = try rebuild(path, from: salvage, wallClock: wallClock)
        } catch {
            // Put the damaged file back so nothing is left half done; it can be repaired again.
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: damagedFile + suffix) {
                try? FileManager.default.moveItem(atPath: damagedFile + suffix, toPath: path + suffix)
            }
            throw error
        }
        return ReplicaRepairReport(
            damagedFile: damagedFile, previousNode: salvage.node, node: rebuilt.node, settings: salvage.settings,
            salvaged: rebuilt.salvaged, salvagedRefused: rebuilt.refused, lost: rebuilt.lost, outboxComplete: salvage.outboxComplete)
    }

    /// Creates a fresh replica at `path` holding what was salvaged: settings, unsent edits
    /// (queued again, in their order, then the refused ones), the clock and the authors.
    private static func rebuild(_ path: String, from salvage: Salvage, wallClock: @escaping @Sendable () -> Int64) throws
        -> (node: NodeID, salvaged: [Record], refused: [Record], lost: [RecordID])
    {
        let replica = try Replica(path: path, wallClock: wallClock)
        var salvaged: [Record] = [], salvagedRefused: [Record] = [], lost: [RecordID] = []
        try replica.queue.write { db in
            if let settings = salvage.settings {
                let values: [(String, String)] = [
                    ("server_url", settings.serverURL), ("token", settings.token), ("user", settings.user),
                    ("role", settings.role.rawValue), ("branch", settings.branch), ("server_id", settings.serverID),
                ]
                for (key, value) in values { try setMeta(db, key, value) }
            }
            var clock = salvage.clock ?? HybridClock()
            // The rebuilt replica writes under a new node: the old node's writes the server may not
            // hold are re-stamped under it, as after a node change (without the acknowledged
            // counters every old write is re-stamped; values the server has show once, §5).
            let newNode = try replica.currentNode(db)
            func restampedSalvage(_ id: RecordID) -> Record? {
                guard let record = salvage.records[id] else { return nil }
                guard let old = salvage.node, old != newNode else { return record }
                return restamped(record, from: old, to: newNode, known: min(salvage.acked[id] ?? 0, record.clock[old]))
            }
            for id in salvage.pending {
                guard let record = restampedSalvage(id) else {
                    lost.append(id)
                    continue
                }
                try store(db, record)
                try enqueue(db, id)
                clock.observe(record.lastModified, wallMillis: wallClock())
                salvaged.append(record)
            }
            for id in salvage.refused {
                guard let record = restampedSalvage(id) else {
                    lost.append(id)
                    continue
                }
                try store(db, record)
                try enqueue(db, id)
                clock.observe(record.lastModified, wallMillis: wallClock())
                salvagedRefused.append(record)
            }
            try saveHybridClock(db, clock)
            var authors = salvage.authors
            if let previous = salvage.node, let user = salvage.settings?.user { authors[previous.rawValue] = user }
            try rememberAuthors(authors, db: db)
        }
        return (replica.node, salvaged, salvagedRefused, lost)
    }

    /// Moves the file at `path` (and its `-wal`, `-shm` and `-journal` files) to `<path>.damaged-<time>`.
    private static func moveAside(_ path: String, now: Int64) throws -> String {
        let files = FileManager.default
        let stamp = Timestamps.format(now / 1000 * 1000).filter { $0 != "-" && $0 != ":" }
        var target = "\(path).damaged-\(stamp)"
        var attempt = 1
        while files.fileExists(atPath: target) {
            attempt += 1
            target = "\(path).damaged-\(stamp)-\(attempt)"
        }
        do {
            try files.moveItem(atPath: path, toPath: target)
            for suffix in ["-wal", "-shm", "-journal"] where files.fileExists(atPath: path + suffix) {
                try files.moveItem(atPath: path + suffix, toPath: target + suffix)
            }
        } catch {
            throw ReplicaError.cannotRepair(.cannotMoveAside(target: target, detail: error.localizedDescription))
        }
        return target
    }

    /// Everything worth keeping that can still be read from a damaged replica file. Each table is
    /// read on its own, row by row, so damage in one place loses as little as possible.
    private struct Salvage {

        var settings: ReplicaSettings?
        var node: NodeID?
        var clock: HybridClock?
        /// Records with unsent edits, in outbox order.
        var pending: [RecordID] = []
        var outboxComplete = false
        /// Records whose edits the server refused.
        var refused: [RecordID] = []
        var records: [RecordID: Record] = [:]
        var authors: [String: String] = [:]
        /// Per record, the highest counter of the old node the server is known to hold (SPEC §15).
        var acked: [RecordID: UInt64] = [:]

        init(path: String) {
            guard let queue = try? DatabaseQueue(path: path, configuration: Replica.salvageConfiguration) else { return }
            _ = try? queue.read { db in read(db) }
        }

        private mutating func read(_ db: Database) {
            var meta: [String: String] = [:]
            for key in ["server_url", "token", "user", "role", "branch", "server_id", "node", "hlc"] {
                if let value = try? db.fetchScalar(String.self, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) {
                    meta[key] = value
                }
            }
            if let url = meta["server_url"], let token = meta["token"], let user = meta["user"],
                let role = meta["role"].flatMap(Role.init(rawValue:)), let branch = meta["branch"], let serverID = meta["server_id"]
            {
                settings = ReplicaSettings(serverURL: url, token: token, user: user, role: role, branch: branch, serverID: serverID)
            }
            node = meta["node"].map(NodeID.init(unchecked:))
            clock = try? Replica.hybridClock(db)

            // The outbox, read in its own order and again through its index (other pages).
            var seen = Set<String>()
            func note(_ row: Statement) {
                let id = row.text(at: 0)
                if seen.insert(id).inserted { pending.append(RecordID(unchecked: id)) }
            }
            let inOrder = Replica.readRows(db, "SELECT record_id FROM outbox ORDER BY seq", note)
            let byIndex = Replica.readRows(db, "SELECT record_id FROM outbox ORDER BY record_id", note)
            _ = Replica.readRows(db, "SELECT record_id FROM pending_entries", note)
            let refusedRead = Replica.readRows(db, "SELECT record_id FROM refused ORDER BY refused_at, record_id") { row in
                let id = row.text(at: 0)
                if seen.insert(id).inserted { refused.append(RecordID(unchecked: id)) }
            }
            outboxComplete = (inOrder || byIndex) && refusedRead

            // The batch being pushed holds a copy of its records: a fallback for unreadable rows.
            var batched: [RecordID: Record] = [:]
            if let body = try? db.fetchScalar(String.self, sql: "SELECT body FROM pending_batch WHERE id = 1"),
                let json = try? JSONValue.parse(body), let request = try? PushRequest(json: json)
            {
                for record in request.records { batched[record.id] = record }
            }
            for id in pending + refused {
                var stored: Record?
                _ = Replica.readRows(db, "SELECT state FROM records WHERE id = ?", arguments: [id.rawValue]) { row in
                    stored = try? row.withUnsafeBlob(at: 0) { try RecordTable.decode($0, id: id) }
                }
                if let record = stored ?? batched[id], record.id == id { records[id] = record }
            }

            _ = Replica.readRows(db, "SELECT node, user FROM authors") { row in authors[row.text(at: 0)] = row.text(at: 1) }
            // Counters of refused records, and (replicas since v7) of outbox rows.
            for sql in ["SELECT record_id, counter FROM acked", "SELECT record_id, acked FROM outbox WHERE acked IS NOT NULL"] {
                _ = Replica.readRows(db, sql) { row in
                    let id = RecordID(unchecked: row.text(at: 0))
                    acked[id] = max(acked[id] ?? 0, UInt64(max(0, row.int64(at: 1))))
                }
            }
        }
    }
}
