import Foundation
import OutpostClient
import OutpostHTTP
import OutpostModel
import OutpostServer

/// Helpers for tests: a server database in a temporary directory, users, and transports that
/// reach the server's router in-process (no socket) or over loopback. The database can be backed
/// up and restored (a new epoch) as `outpost-server backup` and `restore` do.
public final class TestServer: @unchecked Sendable {
    // Safety: `current` is only touched while holding `lock`.
    private let lock = NSLock()
    private var current: (database: ServerDatabase, router: Router)
    private var backups = 0

    /// The temporary directory holding the databases; removed by ``cleanUp()``.
    public let directory: URL
    /// The server database (after a ``restore(from:)``, the restored one).
    public var database: ServerDatabase { lock.withLock { current.database } }
    /// The router (in-process API) over ``database``.
    public var router: Router { lock.withLock { current.router } }

    /// The PostgreSQL schema holding the database, when it is not a SQLite file (see ``TestStorage``).
    public let postgresSchema: TestPostgresSchema?

    /// Creates a server database in a fresh temporary directory, or in a fresh PostgreSQL schema
    /// when `storage` is ``TestStorage/configured`` and PostgreSQL is configured.
    public init(storage: TestStorage = .configured) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database: ServerDatabase
        if storage == .configured, let url = TestStorage.postgresURL {
            let schema = try TestPostgresSchema(url: url)
            postgresSchema = schema
            database = try schema.open()
        } else {
            postgresSchema = nil
            database = try ServerDatabase(path: directory.appendingPathComponent("server.db").path)
        }
        current = (database, SyncRoutes.makeRouter(database: database))
    }

    /// Another server instance on the same database (PostgreSQL only: a SQLite file has one server).
    public func openAnotherInstance() throws -> ServerDatabase {
        guard let postgresSchema else { throw ServerStorageError.sqliteOnly("A SQLite database is served by one instance.") }
        return try postgresSchema.open()
    }

    /// The `outpost-server` options naming this server's database: `--db PATH` or `--postgres URL`.
    public var storageArguments: [String] {
        postgresSchema.map { ["--postgres", $0.urlWithSchema] } ?? ["--db", databasePath]
    }

    /// A path for another database file in the test directory.
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The path of the server database file.
    public var databasePath: String { path("server.db") }

    /// Adds a user and returns their token.
    public func addUser(_ name: String, role: Role = .sales, branch: String = "BJ") throws -> String {
        try database.addUser(name: name, role: role, branch: branch)
    }

    /// A transport that calls the router directly (the current one, also after a restore).
    public var transport: InProcessTransport {
        InProcessTransport { [self] request in router.handle(request) }
    }

    /// Takes a backup of the running server as `outpost-server backup` does (while serving) and
    /// returns the backup file's path.
    @discardableResult
    public func backup() throws -> String {
        let destination = lock.withLock { () -> String in
            backups += 1
            return path("backup-\(backups).db")
        }
        _ = try ServerDatabase.backup(databaseAt: databasePath, to: destination)
        return destination
    }

    /// Stops serving (checkpointing as a graceful stop does), replaces the database by `backup` as
    /// `outpost-server restore` does — a new epoch begins — and serves the restored database.
    @discardableResult
    public func restore(from backup: String) throws -> ServerDatabase.BackupSummary {
        try lock.withLock {
            try current.database.checkpoint()
            let summary = try ServerDatabase.restore(from: backup, to: databasePath)
            let database = try ServerDatabase(path: databasePath)
            current = (database, SyncRoutes.makeRouter(database: database))
            return summary
        }
    }

    /// Replaces the database file by a copy of `backup` *without* `outpost-server restore` (an
    /// administrator copying an old file back by hand: the file's epoch is the backup's) and serves
    /// it. The server stops gracefully first (a checkpoint, which updates the marker `server.db.mark`
    /// beside the file) and reopens the file as a restarted `outpost-server serve` does, so it finds
    /// the file older than its marker and begins a new epoch (SPEC §11.1).
    public func replaceDatabaseFile(with backup: String) throws {
        try lock.withLock {
            try current.database.checkpoint()
            let files = FileManager.default
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: databasePath + suffix) {
                try files.removeItem(atPath: databasePath + suffix)
            }
            try files.copyItem(atPath: backup, toPath: databasePath)
            let database = try ServerDatabase(path: databasePath)
            current = (database, SyncRoutes.makeRouter(database: database))
        }
    }

    /// Removes the temporary directory (and the PostgreSQL schema, if any).
    public func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
        postgresSchema?.drop()
    }
}

extension Router {
    /// Answers a client ``TransportRequest`` in-process, as the socket server would. A deferred
    /// answer (a long-poll pull with `wait`) is waited for on the calling thread: long-poll tests
    /// use a real server on a loopback port instead.
    public func handle(_ request: TransportRequest) -> TransportResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        headers.set(name: "Content-Length", value: String(request.body.count))
        if !headers.contains("Host") { headers.set(name: "Host", value: "in-process") }
        var target = request.path
        if !request.queryItems.isEmpty {
            target += "?" + request.queryItems.map { "\(Self.percentEncode($0.name))=\(Self.percentEncode($0.value))" }.joined(separator: "&")
        }
        var parser = HTTPRequestParser()
        var head = Array("\(request.method) \(target) HTTP/1.1\r\n".utf8)
        for field in headers { head += Array("\(field.name): \(field.value)\r\n".utf8) }
        head += Array("\r\n".utf8)
        parser.append(head + request.body)
        let httpRequest: HTTPRequest
        do {
            guard let parsed = try parser.nextRequest() else {
                return TransportResponse(status: 400, body: Array(#"{"error":{"code":"invalid_request","message":"incomplete"}}"#.utf8))
            }
            httpRequest = parsed
        } catch {
            return TransportResponse(status: error.status.code, body: (try? error.makeResponse().collectBody()) ?? [])
        }
        let response = respond(to: httpRequest).resolved()
        var responseHeaders: [String: String] = [:]
        for field in response.headers { responseHeaders[field.name.lowercased()] = field.value }
        let body = (try? response.collectBody()) ?? []
        return TransportResponse(status: response.status.code, headers: responseHeaders, body: body)
    }

    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
