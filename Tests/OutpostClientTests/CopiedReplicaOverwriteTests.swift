import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// Found by the randomized integrity schedules: a copy writes a field under the shared node id
/// and syncs; the original, which wrote the same field twice since (so it no longer holds the dot
/// the copy used), pulls the copy's version. The copy's write is not its own overwritten write: it
/// must survive as a conflict sibling, not be merged away as if the original had overwritten it.
@Suite("Copied replica, overwritten dot")
struct CopiedReplicaOverwriteTests {
    @Test(arguments: [1, 2, 3])
    func aCopysWriteUnderADotTheOriginalOverwroteIsKept(originalEdits: Int) async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let original = try await makeClient(server, "li")
        let customer = try original.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await original.sync(server)
        let copy = try copyReplica(original, as: "li-copy", in: server)

        try copy.replica.update(customer.id, fields: ["name": "From the copy"])
        try await copy.sync(server)
        for n in 1...originalEdits { try original.replica.update(customer.id, fields: ["name": .string("Original \(n)")]) }
        try await original.sync(server)
        try await copy.sync(server)
        try await original.sync(server)

        #expect(original.replica.node != copy.replica.node)
        #expect(try allRecords(original.replica) == allRecords(copy.replica))
        #expect(siblingValues(try original.replica.record(customer.id), "name") == ["From the copy", .string("Original \(originalEdits)")])
    }

    /// The original's own write that reached the server in a push whose answer was lost, then
    /// overwritten locally, is its own: pulling it back is no reason to take a new node id.
    @Test func anOwnWriteFromAnUnansweredPushIsNotAClash() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        let customer = try client.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await client.sync(server)
        let node = client.replica.node
        try client.replica.update(customer.id, fields: ["name": "First"])
        // The push arrives, its answer is lost; then the field is written again.
        let lost = FaultyTransport.failing(call: 1, with: .dropResponse, over: server.transport)
        _ = try? await client.sync(server, transport: lost)
        try client.replica.update(customer.id, fields: ["name": "Second"])
        var report = SyncReport()
        try await client.engine(server).pull(&report)
        #expect(client.replica.node == node)
        try await client.sync(server)
        #expect(client.replica.node == node)
        #expect(siblingValues(try client.replica.record(customer.id), "name") == ["Second"])
    }
}
