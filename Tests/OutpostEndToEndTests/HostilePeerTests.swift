import Foundation
import Testing
import OutpostClient
import OutpostModel

/// Hostile and damaged peers against the real `outpost-server` process (SPEC §10.2, §10.5).
@Suite("Hostile peers against a real server process")
struct HostilePeerProcessTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var database: String { directory.appendingPathComponent("server.db").path }

    func addUser(role: String = "sales") throws -> String {
        let added = try ServerProcess.run(["user", "add", "li", "--role", role, "--branch", "BJ", "--db", database])
        try #require(added.status == 0, "\(added.output)")
        return try #require(added.output.split(separator: "\n").last.map(String.init))
    }

    /// The error a request was refused with.
    func refusal(_ body: () async throws -> Void) async -> (status: Int, code: String, message: String)? {
        do {
            try await body()
        } catch SyncError.rejected(let status, let error) {
            return (status, error.code, error.message)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func aCopiedReplicaPushingUnderTheSameNodeIsRefused() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // A branch head: the batches hold customers without an owner, which a salesperson may not create.
        let token = try addUser(role: "manager")
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let node = NodeID.random()
        let first = ServerCrashTests.batch(1, node: node)
        _ = try await api.push(first)
        // The device and a copy of its database, both after the first batch.
        _ = try await api.push(ServerCrashTests.batch(2, node: node, after: first.batch))
        let refused = await refusal { _ = try await api.push(ServerCrashTests.batch(3, node: node, after: first.batch)) }
        #expect(refused?.status == 409)
        #expect(refused?.code == "node_reused")
        #expect(refused?.message.contains("copied file or a restored backup") == true)
    }

    @Test func theClockSkewToleranceIsSetOnTheCommandLine() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = try addUser()
        let server = try ServerProcess(database: database, arguments: ["--max-clock-skew", "60"])
        defer { _ = server.terminate() }
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        let node = NodeID.random()
        let tenMinutesAhead = Int64(Date().timeIntervalSince1970 * 1000) + 10 * 60_000
        let record = Record.create(id: .random(), type: .customer, branch: "BJ",
                                   fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core", "owner": "li"],
                                   node: node, at: HybridTimestamp(millis: tenMinutesAhead))
        let refused = await refusal { _ = try await api.push(PushRequest(batch: .random(), node: node, records: [record])) }
        #expect(refused?.status == 422)
        #expect(refused?.code == "clock_ahead")
        #expect(refused?.message.contains("date and time") == true)
    }
}
