import Testing
import OutpostClient
import OutpostModel
import OutpostTestSupport

@Suite("Edits the server refuses")
struct RefusedEditTests {
    /// A device that still believes it is a manager, while the server now knows the user as sales
    /// (the role was lowered while the device was offline: the device learns it at its next sync).
    @Test func refusedEditIsSetAsideAndTheRestStillSyncs() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let replica = try Replica(path: server.path("li.db"))
        let api = SyncAPI(transport: server.transport, token: token)
        let session = try await api.session()
        try replica.configure(ReplicaSettings(serverURL: "inproc://", token: token, user: "li", role: .manager,
                                              branch: "BJ", serverID: session.serverID))
        let engine = SyncEngine(replica: replica, api: api)
        let doomed = try replica.create(.customer, fields: ["code": "D-1", "name": "Doomed", "kind": "tenant", "tier": "general"])
        _ = try await engine.sync()
        try server.database.setUser(name: "li", role: .sales, branch: nil)
        try replica.delete(doomed.id)
        let kept = try replica.create(.customer, fields: ["code": "K-1", "name": "Kept", "kind": "tenant", "tier": "general"])

        let report = try await engine.sync()
        #expect(report.refused == 1)
        #expect(report.pushed == 1)
        #expect(try replica.pendingChangeCount() == 0)
        let refused = try replica.refusedEdits()
        #expect(refused.map(\.record) == [doomed.id])
        #expect(refused.first?.code == "forbidden")
        #expect(try replica.record(doomed.id)?.isDeleted == true, "the refused edit is kept locally")

        // The other edit reached the server.
        let page = try await api.pull(cursor: nil, limit: 100)
        #expect(page.records.contains { $0.id == kept.id })
        #expect(page.records.first { $0.id == doomed.id }?.isDeleted == false)

        // Made a manager again (the device learns it on its next sync), editing the record again
        // retries it (and clears the refusal).
        try server.database.setUser(name: "li", role: .manager, branch: nil)
        _ = try await engine.sync()
        #expect(try replica.settings()?.role == .manager)
        try replica.restore(doomed.id)
        #expect(try replica.refusedEdits().isEmpty)
        #expect(try replica.pendingChangeCount() == 1)
    }
}
