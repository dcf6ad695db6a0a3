import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// After a server restore, nodes enrolled since the backup are unknown to the server, but their
/// ids are in the clocks of records that other devices re-offer. A hostile user of the branch who
/// reads such a clock and enrols the node first must not lock its device out: a push under a node
/// enrolled for another user is answered 409 `node_reused` (SPEC §10.5), so the real device takes a
/// fresh node id, re-stamps its unsent edits and re-offers the old node's acknowledged writes in its
/// recovery push. The squatter gains no reach: its pushes under the node still meet its own scope.
@Suite("Node enrolment after a restore")
struct NodeSquattingTests {
    @Test func aHostileUserCannotTakeADevicesNodeBeforeItPushesAfterARestore() async throws {
        let server = try TestServer(storage: .sqlite)
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
        let squatBatch = BatchID.random()
        func push(_ records: [Record], batch: BatchID = .random(), after: BatchID? = nil) async throws -> TransportResponse {
            let body = PushRequest(batch: batch, node: node, after: after, records: records).jsonValue.serializedBytes()
            return try await server.transport.send(TransportRequest(method: "POST", path: "/v1/push", headers: [
                "Authorization": "Bearer \(mallory)", SyncProtocol.versionHeader: "2", "Content-Type": "application/json",
            ], body: body))
        }
        let squat = try await push([], batch: squatBatch)
        #expect(squat.status == 200, "an unknown node is enrolled by whoever pushes first (an empty batch)")

        // li's device goes on editing and syncing: nothing may be set aside.
        try li.replica.update(customer.id, fields: ["name": "Acme Ltd"])
        let report = try await li.sync(server)
        try await wang.sync(server)
        #expect(report.refused == 0)
        #expect(report.nodeChanges >= 1, "li's device takes a fresh node id")
        #expect(li.replica.node != node)
        #expect(try li.replica.refusedEdits().isEmpty)
        #expect(try wang.replica.record(customer.id)?.value(of: "name") == "Acme Ltd")
        #expect(try server.records()[customer.id] == allRecords(li.replica)[customer.id])

        // The squatted node gives mallory nothing beyond her own scope: a write of li's customer
        // under it (following her chain) is refused as out of scope, and nothing changes.
        let stored = try #require(try server.records()[customer.id])
        var fields = stored.fields
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        fields["name"] = Register(Sibling(dot: Dot(node: node, counter: 2), timestamp: HybridTimestamp(millis: now), value: "Hijacked"))
        let forged = Record(id: stored.id, type: stored.type, branch: stored.branch,
                            clock: stored.clock.merged(with: VectorClock([node: 2])), fields: fields, lifecycle: stored.lifecycle)
        let before = try server.records()
        let forgedAnswer = try await push([forged], after: squatBatch)
        #expect(forgedAnswer.status == 403)
        #expect(try server.records() == before)
    }
}
