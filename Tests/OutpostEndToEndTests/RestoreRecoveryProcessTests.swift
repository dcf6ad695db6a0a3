import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

/// The whole story of a server restored from a backup, with the real executables and the real
/// client over HTTP (SPEC §11.1): a backup taken while serving, a graceful stop, `restore` (a new
/// epoch), and devices whose next sync notices, re-offers what the backup lacks and keeps the
/// edits waiting in their outbox.
@Suite("Restore and recovery sync (real process)")
struct RestoreRecoveryProcessTests {
    @Test func devicesBringBackEveryAcknowledgedWriteAndKeepTheirOutbox() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-recovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let database = path("server.db")
        func add(_ name: String) throws -> String {
            let added = try ServerProcess.run(["user", "add", name, "--role", "manager", "--branch", "BJ", "--db", database])
            try #require(added.status == 0, "\(added.output)")
            return try #require(added.output.split(separator: "\n").last.map(String.init))
        }
        let tokens = [try add("wang"), try add("li")]
        var server = try ServerProcess(database: database)

        func device(_ index: Int) async throws -> Replica {
            let replica = try Replica(path: path("device\(index).db"))
            let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: tokens[index])
            let session = try await api.session()
            try replica.configure(ReplicaSettings(serverURL: server.baseURL, token: tokens[index], user: session.user, role: session.role,
                                                  branch: session.branch, serverID: session.serverID))
            return replica
        }
        func sync(_ replica: Replica, _ index: Int) async throws -> SyncReport {
            try await SyncEngine(replica: replica, api: SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: tokens[index])).sync()
        }
        let wang = try await device(0)
        let li = try await device(1)

        let early = try wang.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        _ = try await sync(wang, 0)
        // Backup while serving, then more acknowledged writes the backup lacks.
        let backup = try ServerProcess.run(["backup", "--db", database, "--to", path("nightly.db")])
        #expect(backup.status == 0, "\(backup.output)")
        let late = try li.create(.customer, fields: ["code": "C-2", "name": "Beta", "kind": "enterprise", "tier": "core"])
        try wang.update(early.id, fields: ["name": "Acme Ltd"])
        _ = try await sync(li, 1)
        _ = try await sync(wang, 0)
        _ = try await sync(li, 1)
        #expect(try li.record(early.id)?.value(of: "name") == "Acme Ltd")
        // An edit waiting in li's outbox across the restore.
        try li.update(late.id, fields: ["notes": "written while the server was down"])

        #expect(server.terminate() == 0, "graceful stop")
        #expect(!FileManager.default.fileExists(atPath: database + "-wal")
                || ((try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0) == 0,
                "the stop checkpointed the write-ahead log")
        let restored = try ServerProcess.run(["restore", "--from", path("nightly.db"), "--db", database])
        #expect(restored.status == 0, "\(restored.output)")
        server = try ServerProcess(database: database)
        defer { _ = server.terminate() }

        // li syncs first: it re-offers its own record and wang's edit it had pulled.
        let liReport = try await sync(li, 1)
        #expect(liReport.recovered >= 2, "li's record and wang's edit")
        let wangReport = try await sync(wang, 0)
        #expect(wangReport.pushed == 0, "nothing of wang's is missing any more")
        _ = try await sync(li, 1)
        for replica in [wang, li] {
            #expect(try replica.record(early.id)?.value(of: "name") == "Acme Ltd")
            #expect(try replica.record(late.id)?.value(of: "notes") == "written while the server was down")
            #expect(try replica.pendingChangeCount() == 0)
            #expect(try replica.refusedEdits().isEmpty)
        }
        let observer = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: tokens[0])
        let onServer = try await observer.pull(cursor: nil, limit: 100).records
        #expect(Set(onServer.map(\.id)) == [early.id, late.id])
        #expect(onServer.first { $0.id == late.id } == (try li.record(late.id)))
    }
}
