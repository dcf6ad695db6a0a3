import Testing
import OutpostJSON
import OutpostStore
import OutpostClient
import OutpostModel
import OutpostTestSupport

/// Customers are pushed before the records that refer to them, within a batch and across batches,
/// whatever order the edits were made in (SPEC §15).
@Suite("Push order")
struct PushOrderTests {
    @Test func customersGoFirstAcrossBatches() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        // A contact is made first; its customer is made (and then a second one) afterwards.
        let early = try client.replica.create(.customer, fields: Fixture.customer("C-0"))
        try await client.sync(server)
        let contact = try client.replica.create(.contact, fields: Fixture.contact(of: early.id))
        let late = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        try client.replica.update(early.id, fields: ["tier": "important"])

        let first = try #require(try client.replica.pendingBatch(limit: 2))
        #expect(first.request.records.map(\.type) == [.customer, .customer])
        #expect(Set(first.request.records.map(\.id)) == [early.id, late.id])
        let response = PushResponse(batch: first.request.batch, results: first.request.records.map {
            PushResult(id: $0.id, status: .accepted, seq: 1)
        })
        try client.replica.acknowledge(first, response: response)
        let second = try #require(try client.replica.pendingBatch(limit: 2))
        #expect(second.request.records.map(\.id) == [contact.id])
        #expect(second.request.after == first.request.batch, "chained after the acknowledged batch")
        #expect(second.request.node == client.replica.node)
    }

    /// A batch recorded by the app before protocol 2 (no node, no chain) does not block the sync:
    /// it is rebuilt from the outbox.
    @Test func aPendingBatchOfProtocol1IsRebuilt() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        let customer = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let old: JSONValue = .object(["batch": .string(RecordID.random().rawValue), "records": .array([customer.jsonValue])])
        try DatabaseQueue(path: client.path).write { db in
            try db.execute(sql: "INSERT INTO pending_batch(id, body) VALUES (1, ?)", arguments: [old.serialized()])
            try db.execute(sql: "INSERT INTO pending_entries(record_id, outbox_seq) VALUES (?, 1)", arguments: [customer.id.rawValue])
        }
        let reopened = try Replica(path: client.path)
        let report = try await SyncEngine(replica: reopened, api: SyncAPI(transport: server.transport, token: client.token)).sync()
        #expect(report.pushed == 1)
        #expect(try reopened.pendingChangeCount() == 0)
    }
}
