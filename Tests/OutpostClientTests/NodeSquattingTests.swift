import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// After a server restore, nodes enrolled since the backup are unknown to the server, but their
/// ids are in the clocks of records that other devices re-offer. A hostile user of the branch who
/// reads such a clock must not be able to enrol the node first and lock its device out.
///
/// KNOWN ISSUE (found while auditing the integrity work): today the squatting push enrols the node
/// for the hostile user, and the device's next push is answered 403 `forbidden` ("belongs to another
/// user"), so its edits are set aside. A fix needs the server to tell the device to take a new node
/// id (e.g. 409 `node_reused` instead of 403 for a node enrolled by another user), which changes
/// SPEC §10.5; left to the protocol owners. When fixed, drop `withKnownIssue`.
@Suite("Node enrolment after a restore")
struct NodeSquattingTests {
    @Test func aHostileUserCannotTakeADevicesNodeBeforeItPushesAfterARestore() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let mallory = try server.addUser("mallory", role: .sales, branch: "BJ")
        let li = try await makeClient(server, "li")
        let wang = try await makeClient(server, "wang")
        let backup = try server.backup()
        let customer = try li.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await li.sync(server)
        try await wang.sync(server)
        try server.restore(from: backup)

        // wang's device re-offers li's record (carrying li's node) before li's device syncs.
        try await wang.sync(server)
        let node = li.replica.node
        #expect(try server.records()[customer.id]?.clock[node] == 1)
        // mallory read the node id in the clock and pushes an empty batch under it.
        let body = PushRequest(batch: .random(), node: node, after: nil, records: []).jsonValue.serializedBytes()
        let squat = try await server.transport.send(TransportRequest(method: "POST", path: "/v1/push", headers: [
            "Authorization": "Bearer \(mallory)", SyncProtocol.versionHeader: "2", "Content-Type": "application/json",
        ], body: body))

        // li's device goes on editing and syncing: nothing may be set aside.
        try li.replica.update(customer.id, fields: ["name": "Acme Ltd"])
        let report = try await li.sync(server)
        try await wang.sync(server)
        #expect(squat.status == 200, "the squat itself is accepted today (an empty batch)")
        let refused = try li.replica.refusedEdits()
        let seen = try wang.replica.record(customer.id)?.value(of: "name")
        withKnownIssue("a node unknown after a restore can be enrolled by another user of the branch") {
            #expect(report.refused == 0)
            #expect(refused.isEmpty)
            #expect(seen == "Acme Ltd")
        }
    }
}
