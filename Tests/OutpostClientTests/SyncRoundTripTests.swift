import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

@Suite("Client sync through the in-process server")
struct SyncRoundTripTests {
    static let acme: [String: JSONValue] = ["code": "C-001", "name": "Acme", "kind": "enterprise", "tier": "core"]

    func makeClient(_ server: TestServer, _ name: String, role: Role = .manager, branch: String = "BJ") async throws -> (Replica, SyncEngine) {
        let token = try server.addUser(name, role: role, branch: branch)
        let replica = try Replica(path: server.path("\(name).db"))
        let api = SyncAPI(transport: server.transport, token: token)
        let session = try await api.session()
        try replica.configure(ReplicaSettings(serverURL: "inproc://", token: token, user: session.user, role: session.role,
                                              branch: session.branch, serverID: session.serverID))
        return (replica, SyncEngine(replica: replica, api: api))
    }

    @Test func editsOnTwoReplicasConvergeWithExpectedConflicts() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (alice, aliceSync) = try await makeClient(server, "alice")
        let (bob, bobSync) = try await makeClient(server, "bob")
        let customer = try alice.create(.customer, fields: Self.acme)
        _ = try await aliceSync.sync()
        _ = try await bobSync.sync()
        #expect(try bob.record(customer.id) == alice.record(customer.id))

        // Offline: different fields and the same field.
        try alice.update(customer.id, fields: ["name": "Acme Ltd", "industry": "Steel"])
        try bob.update(customer.id, fields: ["name": "ACME Group", "tier": "important"])
        let bobReport = try await bobSync.sync()
        #expect(bobReport.pushed == 1)
        let aliceReport = try await aliceSync.sync()
        #expect(aliceReport.conflicted == 1)
        _ = try await bobSync.sync()

        let a = try #require(try alice.record(customer.id))
        let b = try #require(try bob.record(customer.id))
        #expect(a == b)
        #expect(a.value(of: "industry") == "Steel")
        #expect(a.value(of: "tier") == "important")
        #expect(a.conflicts.count == 1)
        #expect(Set(a.fields["name"]!.siblings.map(\.value)) == ["Acme Ltd", "ACME Group"])
        #expect(try alice.pendingChangeCount() == 0)

        // Resolving on one side spreads to the other.
        try alice.resolve(customer.id, field: "name", choice: .value("Acme Group Ltd"))
        _ = try await aliceSync.sync()
        _ = try await bobSync.sync()
        #expect(try bob.record(customer.id)?.conflicts.isEmpty == true)
        #expect(try bob.record(customer.id)?.value(of: "name") == "Acme Group Ltd")
        #expect(try bob.conflictCount() == 0)
    }

    @Test func salesCannotSeeOrWriteAnotherBranch() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (hq, hqSync) = try await makeClient(server, "hq", role: .hq, branch: "HQ")
        let (sales, salesSync) = try await makeClient(server, "li", role: .sales, branch: "BJ")
        let shanghai = try hq.create(.customer, fields: Self.acme, branch: "SH")
        let beijing = try hq.create(.customer, fields: ["code": "C-002", "name": "Bei", "kind": "tenant", "tier": "general", "owner": "li"], branch: "BJ")
        _ = try await hqSync.sync()
        _ = try await salesSync.sync()
        #expect(try sales.record(shanghai.id) == nil)
        #expect(try sales.record(beijing.id) != nil)
        #expect(throws: ReplicaError.self) { try sales.delete(beijing.id) }
    }
}
