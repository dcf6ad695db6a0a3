import Foundation
import OutpostClient
import OutpostHTTP
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostStore
import OutpostTestSupport

/// A protocol-2 server for client tests: the real server (router over a real database) behind a
/// thin layer that adds what the client relies on and the server of this branch does not do yet —
/// the node chain (409 `node_reused`), cursors bound to the epoch (409 `recovery_required`) and
/// `POST /v1/diff` — with the same answers as the protocol-2 server, so the tests pass with
/// either. A restore begins a real new epoch in the database as `outpost-server restore` does
/// (`server_meta.epoch`, earlier epochs in `epochs` when the table exists). Once the server's
/// protocol-2 work is merged the layer can shrink to the restore; the tests stay as they are.
final class Protocol2Server: SyncTransport, @unchecked Sendable {
    let server: TestServer
    private let lock = NSLock()
    private var router: Router
    private var databasePath: String
    private var epoch: String
    private var chain: [String: (batch: String, epoch: String)] = [:]
    private var applied: Set<String> = []
    private var _pushes: [PushRequest] = []
    private var restores = 0

    init() throws {
        server = try TestServer(storage: .sqlite)
        router = server.router
        databasePath = server.path("server.db")
        epoch = server.database.epoch
    }

    /// Every push request that reached the server (applied or refused), in order.
    var pushes: [PushRequest] { lock.withLock { _pushes } }

    /// The current epoch.
    var currentEpoch: String { lock.withLock { epoch } }

    /// A consistent copy of the server database, as `outpost-server backup` makes.
    func backup() throws -> String {
        let path = server.path("backup-\(UUID().uuidString).db")
        let queue = try DatabaseQueue(path: lock.withLock { databasePath })
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO '\(path)'") }
        return path
    }

    /// Replaces the server database by a copy of `backup` and begins a new epoch.
    func restore(from backup: String) throws {
        try lock.withLock {
            restores += 1
            let path = server.path("restored-\(restores).db")
            try FileManager.default.copyItem(atPath: backup, toPath: path)
            let newEpoch = NodeID.random().rawValue
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                let earlier: String = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'epoch'") ?? ""
                let hasEpochs: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'epochs'") ?? 0
                if hasEpochs == 1 {
                    for old in Set([earlier, epoch]) {
                        try db.execute(sql: "INSERT INTO epochs(epoch, ended_at) VALUES (?, 0) ON CONFLICT(epoch) DO NOTHING", arguments: [old])
                    }
                }
                try db.execute(sql: "UPDATE server_meta SET value = ? WHERE key = 'epoch'", arguments: [newEpoch])
            }
            let database = try ServerDatabase(path: path)
            router = SyncRoutes.makeRouter(database: database)
            databasePath = path
            epoch = database.epoch
        }
    }

    /// Every record the server holds now, by id.
    func records() throws -> [RecordID: Record] {
        let queue = try DatabaseQueue(path: lock.withLock { databasePath })
        return try queue.read { db in
            var result: [RecordID: Record] = [:]
            for row in try db.fetchAll(sql: "SELECT id, state FROM records") {
                let id = RecordID(unchecked: row[0] ?? "")
                result[id] = try RecordTable.decode(row[1] ?? "", id: id)
            }
            return result
        }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let (router, epoch) = lock.withLock { (self.router, self.epoch) }
        switch request.path {
        case "/v1/pull":
            var forwarded = request
            if let cursor = request.queryItems.first(where: { $0.name == "cursor" })?.value {
                let parts = cursor.split(separator: "~", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == epoch else {
                    return Self.error(409, "recovery_required", "The server was restored from a backup.")
                }
                forwarded.queryItems = request.queryItems.map { $0.name == "cursor" ? .init(name: "cursor", value: parts[1]) : $0 }
            }
            let response = router.handle(forwarded)
            guard response.status == 200, case .object(var object) = try JSONValue.parse(response.body),
                case .string(let cursor)? = object["cursor"]
            else { return response }
            object["cursor"] = .string("\(epoch)~\(cursor)")
            return TransportResponse(status: 200, headers: response.headers, body: JSONValue.object(object).serializedBytes())
        case "/v1/diff":
            let diff = try DiffRequest(json: JSONValue.parse(request.body))
            let stored = try records()
            let missing = diff.records.filter { entry in !(stored[entry.id]?.clock.dominates(entry.clock) ?? false) }.map(\.id)
            return TransportResponse(status: 200, body: DiffResponse(missing: missing).jsonValue.serializedBytes())
        case "/v1/push":
            let push = try PushRequest(json: JSONValue.parse(request.body))
            let replay = lock.withLock { () -> Bool in
                _pushes.append(push)
                return applied.contains(push.batch.rawValue)
            }
            if !replay, let last = lock.withLock({ chain[push.node.rawValue] }), last.epoch == epoch, last.batch != push.after?.rawValue {
                return Self.error(409, "node_reused", "Another copy of this device's data has already synchronised.")
            }
            let response = router.handle(request)
            if response.status == 200 {
                lock.withLock {
                    applied.insert(push.batch.rawValue)
                    if !replay { chain[push.node.rawValue] = (push.batch.rawValue, epoch) }
                }
            }
            return response
        default:
            return router.handle(request)
        }
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> TransportResponse {
        TransportResponse(status: status, body: ErrorBody(code: code, message: message).jsonValue.serializedBytes())
    }
}

extension Client {
    /// Syncs through `transport` (with the test server's limits).
    @discardableResult
    func sync(through transport: any SyncTransport, batchSize: Int = 500, pageSize: Int = 1000) async throws -> SyncReport {
        try await SyncEngine(replica: replica, api: SyncAPI(transport: transport, token: token), batchSize: batchSize, pageSize: pageSize).sync()
    }
}

/// A client of a ``Protocol2Server``.
func makeClient(_ server: Protocol2Server, _ name: String, role: Role = .manager, branch: String = "BJ") async throws -> Client {
    let token = try server.server.addUser(name, role: role, branch: branch)
    let path = server.server.path("\(name).db")
    let replica = try Replica(path: path)
    let session = try await SyncAPI(transport: server, token: token).session()
    try replica.configure(ReplicaSettings(serverURL: "inproc://", token: token, user: session.user, role: session.role,
                                          branch: session.branch, serverID: session.serverID))
    return Client(name: name, path: path, token: token, replica: replica)
}

/// Copies a replica's database file (and its write-ahead log) as a file copy or a device backup
/// would, and opens the copy.
func copyReplica(_ client: Client, as name: String, in directory: TestServer) throws -> Client {
    let path = directory.path("\(name).db")
    try FileManager.default.copyItem(atPath: client.path, toPath: path)
    if FileManager.default.fileExists(atPath: client.path + "-wal") {
        try FileManager.default.copyItem(atPath: client.path + "-wal", toPath: path + "-wal")
    }
    return Client(name: name, path: path, token: client.token, replica: try Replica(path: path))
}
