import Foundation
import OutpostTestSupport
import Testing
import OutpostClient
import OutpostModel

/// Law 5 for the client: `outpost sync` killed with SIGKILL part-way loses no edit and
/// a later sync converges with the server.
@Suite("Client crash safety (real processes, SIGKILL)")
struct ClientCrashTests {
    /// Runs `outpost sync` and kills it after its `killAfterLines`-th progress line; returns whether it was killed.
    static func syncAndKill(replica: String, killAfterLines: Int) throws -> Bool {
        let process = Process()
        process.executableURL = ServerProcess.productsDirectory.appendingPathComponent("outpost")
        process.arguments = ["--db", replica, "sync"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var lines = 0
        var killed = false
        while true {
            let chunk = errors.fileHandleForReading.readChunkRetryingInterrupts() ?? Data()
            if chunk.isEmpty { break }
            lines += chunk.filter { $0 == UInt8(ascii: "\n") }.count
            if lines >= killAfterLines {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
        }
        process.waitUntilExit()
        return killed && process.terminationReason == .uncaughtSignal
    }

    @Test func killedSyncLosesNoEditAndLaterSyncConverges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-client-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let serverDB = directory.appendingPathComponent("server.db").path
        let added = try ServerProcess.run(["user", "add", "li", "--role", "manager", "--branch", "BJ", "--db", serverDB])
        let token = try #require(added.output.split(separator: "\n").last.map(String.init))
        let server = try ServerProcess(database: serverDB)
        defer { _ = server.terminate() }

        let replicaPath = directory.appendingPathComponent("li.db").path
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let session = try await api.session()
        var generator = SystemRandomNumberGenerator()
        var written: [RecordID: String] = [:]
        do {
            let replica = try Replica(path: replicaPath)
            try replica.configure(ReplicaSettings(serverURL: server.baseURL, token: token, user: session.user,
                                                  role: session.role, branch: session.branch, serverID: session.serverID))
            for index in 0..<1_200 {
                let record = try replica.create(.customer, fields: ["code": .string("K-\(index)"), "name": .string("Kill \(index)"),
                                                                    "kind": "tenant", "tier": "general"])
                written[record.id] = "Kill \(index)"
            }
        }
        for round in 0..<4 {
            let killed = try Self.syncAndKill(replica: replicaPath, killAfterLines: Int.random(in: 1...4, using: &generator))
            if round == 0 { #expect(killed, "the first sync has 1,200 edits to push and is killed part-way") }
            // The user keeps working between interrupted syncs.
            let replica = try Replica(path: replicaPath)
            for id in written.keys.shuffled(using: &generator).prefix(50) {
                let name = "Round \(round) \(id.rawValue.prefix(6))"
                try replica.update(id, fields: ["name": .string(name)])
                written[id] = name
            }
        }
        // A sync that runs to the end.
        #expect(try Self.syncAndKill(replica: replicaPath, killAfterLines: .max) == false)

        let replica = try Replica(path: replicaPath)
        #expect(try replica.pendingChangeCount() == 0)
        var serverRecords: [RecordID: Record] = [:]
        var cursor: String?
        repeat {
            let page = try await api.pull(cursor: cursor, limit: 1000)
            for record in page.records { serverRecords[record.id] = record }
            cursor = page.cursor
            if !page.hasMore { break }
        } while true
        #expect(serverRecords.count == written.count)
        for (id, name) in written {
            #expect(serverRecords[id]?.value(of: "name")?.stringValue == name, "latest edit of \(id) reached the server")
            #expect(try replica.record(id) == serverRecords[id], "replica and server agree on \(id)")
        }
    }
}
