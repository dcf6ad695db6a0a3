import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// The outbox and the pending batch (idempotent retries), and syncs through a transport that
/// loses requests and responses.
@Suite("Outbox, batches and transport faults")
struct OutboxAndFaultTests {
    // MARK: Batch semantics

    @Test func pendingBatchTwiceWithoutAcknowledgeIsTheSameBatch() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try Replica(path: server.path("r.db"))
        for n in 1...3 { try replica.create(.customer, fields: Fixture.customer("C-\(n)")) }
        let first = try #require(try replica.pendingBatch(limit: 2))
        #expect(first.request.records.count == 2)
        // Even after more edits (of batched and new records) the retry is the same batch.
        try replica.update(first.request.records[0].id, fields: ["notes": "later"])
        try replica.create(.customer, fields: Fixture.customer("C-4"))
        let second = try #require(try replica.pendingBatch(limit: 10))
        #expect(second == first)
        #expect(second.request.jsonValue.serialized() == first.request.jsonValue.serialized())
        // Also after reopening the database.
        let reopened = try Replica(path: server.path("r.db"))
        #expect(try reopened.pendingBatch(limit: 10) == first)
    }

    @Test func editAfterBatchWasTakenStaysPendingAfterAcknowledge() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        let a = try alice.replica.create(.customer, fields: Fixture.customer("C-1"))
        let b = try alice.replica.create(.customer, fields: Fixture.customer("C-2"))
        let api = SyncAPI(transport: server.transport, token: alice.token)

        let batch = try #require(try alice.replica.pendingBatch(limit: 10))
        #expect(Set(batch.request.records.map(\.id)) == [a.id, b.id])
        try alice.replica.update(a.id, fields: ["name": "Edited while pushing"])
        let response = try await api.push(batch.request)
        try alice.replica.acknowledge(batch, response: response)
        #expect(try alice.replica.pendingChangeCount() == 1, "the later edit of a is still pending")

        let next = try #require(try alice.replica.pendingBatch(limit: 10))
        #expect(next.request.batch != batch.request.batch)
        #expect(next.request.records.map(\.id) == [a.id])
        #expect(next.request.records[0].value(of: "name") == "Edited while pushing")

        let report = try await alice.sync(server)
        #expect(report.pushed == 1)
        #expect(try alice.replica.pendingChangeCount() == 0)
        try await observer.sync(server)
        #expect(try observer.replica.record(a.id)?.value(of: "name") == "Edited while pushing")
        #expect(try observer.replica.record(a.id) == alice.replica.record(a.id))
    }

    // MARK: Faults

    static func batchID(_ call: FaultyTransport.Call) throws -> String {
        try PushRequest(json: JSONValue.parse(call.request.body)).batch.rawValue
    }

    static func pushes(_ transport: FaultyTransport) -> [FaultyTransport.Call] { transport.calls.filter { $0.request.path == "/v1/push" } }
    static func pulls(_ transport: FaultyTransport) -> [FaultyTransport.Call] { transport.calls.filter { $0.request.path == "/v1/pull" } }

    /// Every record id the server holds for an all-branches reader, pulled from the start; fails on duplicates.
    static func serverIDs(_ server: TestServer, _ observer: Client) async throws -> [RecordID] {
        let api = SyncAPI(transport: server.transport, token: observer.token)
        var ids: [RecordID] = []
        var cursor: String?
        while true {
            let page = try await api.pull(cursor: cursor, limit: 3)
            ids += page.records.map(\.id)
            cursor = page.cursor
            if !page.hasMore { break }
        }
        #expect(Set(ids).count == ids.count, "the server holds each record once")
        return ids
    }

    @Test func lostRequestIsRetriedAsTheSameBatch() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        let a = try alice.replica.create(.customer, fields: Fixture.customer("C-1"))
        let faulty = FaultyTransport.failing(call: 1, with: .dropRequest, over: server.transport)
        await #expect(throws: SyncError.self) { try await alice.sync(server, transport: faulty) }
        #expect(try alice.replica.pendingChangeCount() == 1)
        #expect(try Peek.serverBatches(server) == 0)

        // An edit while offline goes into a later batch; the retry re-sends the recorded one.
        try alice.replica.update(a.id, fields: ["industry": "Steel"])
        let report = try await alice.sync(server, transport: faulty)
        let pushes = Self.pushes(faulty)
        #expect(pushes.count == 3)
        #expect(try Self.batchID(pushes[1]) == Self.batchID(pushes[0]))
        #expect(pushes[1].request.body == pushes[0].request.body)
        #expect(try Self.batchID(pushes[2]) != Self.batchID(pushes[0]))
        #expect(report.pushed == 2)
        #expect(try alice.replica.pendingChangeCount() == 0)
        #expect(try Peek.serverBatches(server) == 2)

        try await observer.sync(server)
        #expect(try observer.replica.record(a.id) == alice.replica.record(a.id))
        #expect(try observer.replica.record(a.id)?.value(of: "industry") == "Steel")
        #expect(try await Self.serverIDs(server, observer) == [a.id])
    }

    @Test func lostPushResponseIsAnsweredFromTheBatchTable() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        var ids: [RecordID] = []
        for n in 1...5 { ids.append(try alice.replica.create(.customer, fields: Fixture.customer("C-\(n)")).id) }

        // The second batch reaches the server, which applies it; its answer is lost.
        let faulty = FaultyTransport.failing(call: 2, with: .dropResponse, over: server.transport)
        await #expect(throws: SyncError.self) { try await alice.sync(server, transport: faulty, batchSize: 2) }
        #expect(try Peek.serverBatches(server) == 2)
        #expect(try alice.replica.pendingChangeCount() == 3, "the unanswered batch stays pending")
        try await observer.sync(server)
        #expect(try observer.replica.records(.customer).count == 4, "the server did apply the second batch")

        // Edit a record of the unanswered batch before retrying: the retry still sends the recorded batch.
        let lostBatch = try Self.batchID(Self.pushes(faulty)[1])
        let edited = try #require(try PushRequest(json: JSONValue.parse(Self.pushes(faulty)[1].request.body)).records.first?.id)
        try alice.replica.update(edited, fields: ["notes": "after the lost answer"])

        let report = try await alice.sync(server, transport: faulty, batchSize: 2)
        let pushes = Self.pushes(faulty)
        #expect(try Self.batchID(pushes[2]) == lostBatch)
        #expect(pushes[2].request.body == pushes[1].request.body)
        let lostAnswer = try #require(pushes[1].response)
        #expect(pushes[2].response == lostAnswer, "the retry is answered with the stored answer")
        #expect(try Peek.serverBatches(server) == 3, "the retry is not a new batch: 2 + one for the 5th record and the later edit")
        #expect(report.pushed == 2 + 2)
        #expect(try alice.replica.pendingChangeCount() == 0)
        #expect(try await alice.sync(server).pushed == 0, "the outbox was cleared exactly once and nothing is left")

        try await observer.sync(server)
        #expect(Set(try await Self.serverIDs(server, observer)) == Set(ids))
        #expect(try allRecords(observer.replica) == allRecords(alice.replica))
        #expect(try observer.replica.record(edited)?.value(of: "notes") == "after the lost answer")
    }

    @Test func lostPullResponseIsPulledAgain() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let bob = try await makeClient(server, "bob")
        let alice = try await makeClient(server, "alice")
        for n in 1...7 { try bob.replica.create(.customer, fields: Fixture.customer("C-\(n)")) }
        try await bob.sync(server)

        let faulty = FaultyTransport(server.transport) { index, request in
            request.path == "/v1/pull" && (index == 2 || index == 4) ? .dropResponse : nil
        }
        await #expect(throws: SyncError.self) { try await alice.sync(server, transport: faulty, pageSize: 2) }
        #expect(try alice.replica.records(.customer).count == 2, "the first page is applied, the lost one is not")
        let cursorAfterFirst = try alice.replica.cursor()
        #expect(cursorAfterFirst != nil)

        await #expect(throws: SyncError.self) { try await alice.sync(server, transport: faulty, pageSize: 2) }
        #expect(try alice.replica.records(.customer).count == 4)
        try await alice.sync(server, transport: faulty, pageSize: 2)

        let pulls = Self.pulls(faulty)
        // The page after a lost answer is asked for again with the same cursor.
        #expect(pulls[2].request.queryItems == pulls[1].request.queryItems)
        #expect(pulls[2].response == pulls[1].response)
        #expect(pulls[4].request.queryItems == pulls[3].request.queryItems)
        #expect(try allRecords(alice.replica) == allRecords(bob.replica))
        #expect(try alice.replica.records(.customer).count == 7)
    }

    @Test func faultsEverywhereThenACleanSyncConverges() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let bob = try await makeClient(server, "bob")
        let shared = try alice.replica.create(.customer, fields: Fixture.customer("C-0"))
        try await alice.sync(server)
        try await bob.sync(server)
        for n in 1...4 {
            try alice.replica.create(.customer, fields: Fixture.customer("A-\(n)"))
            try bob.replica.create(.customer, fields: Fixture.customer("B-\(n)"))
        }
        try alice.replica.update(shared.id, fields: ["name": "Alice's name"])
        try bob.replica.update(shared.id, fields: ["name": "Bob's name"])
        // Every other call fails, alternating lost requests and lost answers.
        let plan: @Sendable (Int, TransportRequest) -> Fault? = { index, _ in
            index % 2 == 0 ? nil : (index % 4 == 1 ? .dropRequest : .dropResponse)
        }
        let aliceFaulty = FaultyTransport(server.transport, plan: plan)
        let bobFaulty = FaultyTransport(server.transport, plan: plan)
        for _ in 0..<6 {
            _ = try? await alice.sync(server, transport: aliceFaulty, batchSize: 2, pageSize: 2)
            _ = try? await bob.sync(server, transport: bobFaulty, batchSize: 2, pageSize: 2)
        }
        for _ in 0..<2 {
            try await alice.sync(server, batchSize: 2, pageSize: 2)
            try await bob.sync(server, batchSize: 3, pageSize: 3)
        }
        #expect(try allRecords(alice.replica) == allRecords(bob.replica))
        #expect(try alice.replica.records(.customer).count == 9)
        let record = try #require(try alice.replica.record(shared.id))
        #expect(siblingValues(record, "name") == ["Alice's name", "Bob's name"])
        #expect(try alice.replica.pendingChangeCount() == 0)
        #expect(try bob.replica.pendingChangeCount() == 0)
    }
}
