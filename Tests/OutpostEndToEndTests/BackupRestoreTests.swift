import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

/// `outpost-server backup` and `restore`, and a graceful stop leaving a self-contained database
/// file (SPEC §11.1, README "Backups"), run as the real executable.
@Suite("Server backups and restores (real process)")
struct BackupRestoreTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Adds a manager of BJ to the database and returns the token.
    func addManager(_ database: String) throws -> String {
        let added = try ServerProcess.run(["user", "add", "wang", "--role", "manager", "--branch", "BJ", "--db", database])
        try #require(added.status == 0, "\(added.output)")
        return try #require(added.output.split(separator: "\n").last.map(String.init))
    }

    /// Every record of a database file, read with the server's own reader.
    static func records(in database: String) throws -> [Record] {
        try ServerDatabase(path: database).changes(after: 0, limit: 100_000).map(\.record)
    }

    @Test func aGracefulStopLeavesEverythingInTheDatabaseFileAlone() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = path("server.db")
        let token = try addManager(database)
        let server = try ServerProcess(database: database)
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let node = NodeID.random()
        let first = ServerCrashTests.batch(1, node: node)
        _ = try await api.push(first)
        _ = try await api.push(ServerCrashTests.batch(2, node: node, after: first.batch))
        #expect(server.terminate() == 0)

        // Copy only the database file, as someone copying "outpost.db" to another machine would.
        let copy = path("copy.db")
        try FileManager.default.copyItem(atPath: database, toPath: copy)
        #expect(try Self.records(in: copy).count == 2 * ServerCrashTests.batchSize)
    }

    @Test func aBackupTakenWhileAClientPushesHoldsWholeBatchesOnly() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = path("server.db")
        let token = try addManager(database)
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let node = NodeID.random()
        let seed = ServerCrashTests.batch(0, node: node)
        _ = try await api.push(seed)

        // The pusher signals its first acknowledged batch, then goes on until cancelled; the backup
        // starts at that signal, so it runs while batches keep arriving.
        let (started, signal) = AsyncStream<Void>.makeStream()
        let pusher = Task { () -> (count: Int, failure: String?) in
            var after = seed.batch
            var number = 1
            while !Task.isCancelled {
                let request = ServerCrashTests.batch(number, node: node, after: after)
                do {
                    _ = try await api.push(request)
                } catch {
                    signal.finish()
                    return (number - 1, Task.isCancelled ? nil : "\(error)")
                }
                after = request.batch
                if number == 1 { signal.yield() }
                number += 1
            }
            signal.finish()
            return (number - 1, nil)
        }
        for await _ in started { break }
        let backup = path("backup.db")
        let result = try ServerProcess.run(["backup", "--db", database, "--to", backup])
        pusher.cancel()
        let pushed = await pusher.value
        #expect(pushed.failure == nil)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Backup complete"))

        var perBatch: [String: Int] = [:]
        for record in try Self.records(in: backup) {
            perBatch[record.value(of: "notes")?.stringValue ?? "?", default: 0] += 1
        }
        #expect(perBatch["batch-0"] == ServerCrashTests.batchSize, "the batch acknowledged before the backup is in it")
        for (tag, count) in perBatch {
            #expect(count == ServerCrashTests.batchSize, "\(tag) is half in the backup: \(count) of \(ServerCrashTests.batchSize)")
        }
        #expect(pushed.count >= 1)
        // The backup opens as a server database of the same server.
        #expect(try ServerDatabase(path: backup).serverID == ServerDatabase(path: database).serverID)
    }

    @Test func aBackupNeverOverwritesAnExistingFile() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = path("server.db")
        _ = try addManager(database)
        let target = path("taken.db")
        #expect(FileManager.default.createFile(atPath: target, contents: Data("keep me".utf8)))
        let result = try ServerProcess.run(["backup", "--db", database, "--to", target])
        #expect(result.status == 1)
        #expect(result.output.contains("exists already"))
        #expect(FileManager.default.contents(atPath: target) == Data("keep me".utf8))
    }

    @Test func restoreRefusesARunningServerThenBeginsAnEpochClientsNotice() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = path("server.db")
        let token = try addManager(database)
        let node = NodeID.random()
        let backup = path("backup.db")

        var server = try ServerProcess(database: database)
        var api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let first = ServerCrashTests.batch(1, node: node)
        _ = try await api.push(first)
        #expect(try ServerProcess.run(["backup", "--db", database, "--to", backup]).status == 0)
        let second = ServerCrashTests.batch(2, node: node, after: first.batch)
        _ = try await api.push(second)
        let before = try await api.session()
        var cursor: String?
        while true {
            let page = try await api.pull(cursor: cursor, limit: 1000)
            cursor = page.cursor
            if !page.hasMore { break }
        }

        let refused = try ServerProcess.run(["restore", "--from", backup, "--db", database])
        #expect(refused.status == 1)
        #expect(refused.output.contains("is running on"))
        #expect(server.terminate() == 0)

        let restored = try ServerProcess.run(["restore", "--from", backup, "--db", database])
        #expect(restored.status == 0, "\(restored.output)")
        #expect(restored.output.contains("New epoch"))
        #expect(restored.output.contains("The replaced database is kept as"))
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("server.db.before-restore-") }
        #expect(!kept.isEmpty, "the replaced database file is kept")

        server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let after = try await api.session()
        #expect(after.serverID == before.serverID)
        #expect(after.epoch != before.epoch)
        do {
            _ = try await api.pull(cursor: cursor, limit: 1000)
            Issue.record("a cursor from before the restore must be refused")
        } catch SyncError.rejected(let status, let error) {
            #expect(status == 409)
            #expect(error.code == "recovery_required")
        }
        // The device re-offers the batch the backup lacks as a recovery push, then pulls everything.
        let transport = try HTTPTransport(baseURL: server.baseURL)
        let diff = try await transport.send(TransportRequest(
            method: "POST", path: "/v1/diff",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: DiffRequest(records: second.records.map { .init(id: $0.id, clock: $0.clock) }).jsonValue.serializedBytes()))
        #expect(diff.status == 200)
        #expect(try DiffResponse(json: JSONValue.parse(diff.body)).missing == second.records.map(\.id))
        var recovery = second
        recovery.batch = .random()
        recovery.recoveringFrom = before.epoch
        _ = try await api.push(recovery)
        #expect(try Self.records(in: database).count == 2 * ServerCrashTests.batchSize)
    }

    @Test func aSecondServerOnTheSameDatabaseIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = path("server.db")
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        #expect(throws: ServerProcessError.self) { _ = try ServerProcess(database: database) }
    }
}
