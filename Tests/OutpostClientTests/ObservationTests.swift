import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// Counts calls from any thread.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0
    func increment() { lock.withLock { stored += 1 } }
    var value: Int { lock.withLock { stored } }
}

/// Records the changes a replica announces.
final class ChangeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ReplicaChange] = []
    func append(_ change: ReplicaChange) { lock.withLock { stored.append(change) } }
    var changes: [ReplicaChange] { lock.withLock { stored } }
    func removeAll() { lock.withLock { stored.removeAll() } }
}

@Suite("Observation: live values from the replica")
struct ObservationTests {
    static func customerNames(_ replica: Replica) throws -> [String] {
        try replica.records(.customer).compactMap { $0.value(of: "name")?.stringValue }
    }

    @Test func everyWritePathAnnouncesTheEntityTypesItChanged() throws {
        let replica = try Replica(path: ":memory:")
        let log = ChangeLog()
        let token = replica.changes.subscribe { log.append($0) }
        defer { replica.changes.unsubscribe(token) }
        let acme = try replica.create(.customer, fields: Fixture.customer("C-1"))
        #expect(log.changes == [ReplicaChange(entityTypes: [.customer], editsQueued: true)])
        log.removeAll()
        try replica.create(.contact, fields: Fixture.contact(of: acme.id))
        #expect(log.changes.map(\.entityTypes) == [[.contact]])
        log.removeAll()
        try replica.update(acme.id, fields: ["tier": "important"])
        #expect(log.changes == [ReplicaChange(entityTypes: [.customer], editsQueued: true)])
        log.removeAll()
        // Re-stamping unsent edits under a new node id stores records over themselves (upserts,
        // two of one type in one transaction).
        try replica.create(.customer, fields: Fixture.customer("C-2"))
        log.removeAll()
        try replica.syncTakeNewNode()
        #expect(log.changes.last?.entityTypes == [.customer, .contact])
        log.removeAll()
        // A refused write (rolled back) announces nothing; reads announce nothing.
        #expect(throws: ReplicaError.self) { try replica.update(acme.id, fields: ["tier": "no such tier"]) }
        _ = try replica.records(.customer)
        _ = try replica.status()
        #expect(log.changes.isEmpty)
    }

    @Test func onlyChangesToATrackedTypeOrTheOutboxAffectAnObservation() {
        let replica = try! Replica(path: ":memory:")
        let customers = replica.observe(tracking: [.customer]) { try Self.customerNames($0) }
        #expect(customers.isAffected(by: ReplicaChange(entityTypes: [.customer])))
        #expect(customers.isAffected(by: ReplicaChange(entityTypes: [.contact, .customer])))
        #expect(!customers.isAffected(by: ReplicaChange(entityTypes: [.contact, .visit, .complaint])))
        #expect(!customers.isAffected(by: ReplicaChange(outboxChanged: true)))
        let pending = replica.observe(tracking: [], outbox: true) { try $0.pendingChangeCount() }
        #expect(pending.isAffected(by: ReplicaChange(outboxChanged: true)))
        #expect(!pending.isAffected(by: ReplicaChange(entityTypes: [.customer])))
    }

    @Test func emitsTheCurrentValueThenExactlyWhenTheResultChanges() async throws {
        let replica = try Replica(path: ":memory:")
        let fetches = CallCounter()
        let names = replica.observe(tracking: [.customer]) { replica in
            fetches.increment()
            return try Self.customerNames(replica)
        }
        var values = names.makeAsyncIterator()
        #expect(try await values.next() == [])
        let acme = try replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        #expect(try await values.next() == ["Acme"])
        #expect(fetches.value == 2)
        // Unrelated (a contact) and unchanged (another field of the customer) changes emit nothing:
        // the next value is the rename.
        try replica.create(.contact, fields: Fixture.contact(of: acme.id))
        try replica.update(acme.id, fields: ["tier": "important"])
        try replica.update(acme.id, fields: ["name": "Acme Trading"])
        #expect(try await values.next() == ["Acme Trading"])
        // The contact never caused a fetch: the initial one, the creation, the tier edit and the
        // rename (the last two possibly in one).
        #expect(fetches.value <= 4)
    }

    @Test func aBurstOfChangesIsCoalescedAndEndsAtTheLatestValue() async throws {
        let replica = try Replica(path: ":memory:")
        let acme = try replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme 0"))
        var values = replica.observe(tracking: [.customer]) { try Self.customerNames($0) }.makeAsyncIterator()
        #expect(try await values.next() == ["Acme 0"])
        for index in 1...200 { try replica.update(acme.id, fields: ["name": .string("Acme \(index)")]) }
        var received: [[String]] = []
        while received.last != ["Acme 200"] { received.append(try #require(try await values.next())) }
        // The consumer never sees a backlog: at most the newest buffered value, one fetched while
        // the burst ran, and the final one.
        #expect(received.count <= 3)
    }

    @Test func cancellingTheConsumerEndsTheObservation() async throws {
        let replica = try Replica(path: ":memory:")
        let started = CallCounter()
        let consumer = Task {
            var count = 0
            for try await _ in replica.observe(tracking: [.customer], { try Self.customerNames($0) }) {
                count += 1
                started.increment()
            }
            return count
        }
        // The observation is subscribed before its first value is fetched.
        while started.value == 0 { await Task.yield() }
        #expect(replica.changes.subscriberCount == 1)
        consumer.cancel()
        _ = try await consumer.value
        #expect(replica.changes.subscriberCount == 0)
    }

    @Test func aPulledChangeReachesAnObserverOnAnotherDevice() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let li = try await makeClient(server, "li")
        let wang = try await makeClient(server, "wang")
        var values = wang.replica.observe(tracking: [.customer]) { try Self.customerNames($0) }.makeAsyncIterator()
        #expect(try await values.next() == [])
        try li.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await li.sync(server)
        try await wang.sync(server)
        #expect(try await values.next() == ["Acme"])
        // A pulled version of a record already held is merged and stored over it (an upsert).
        let acme = try #require(try li.replica.records(.customer).first)
        try li.replica.update(acme.id, fields: ["name": "Acme Trading"])
        try await li.sync(server)
        try await wang.sync(server)
        #expect(try await values.next() == ["Acme Trading"])
    }

    @Test func theOfflineClientObservesPendingEditsThroughTheOutbox() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let client = try await OfflineClient.connect(databasePath: server.path("li.db"), serverURL: "inproc://", token: token,
                                                     transport: server.transport)
        var pending = client.observe(tracking: [], outbox: true) { try $0.pendingChangeCount() }.makeAsyncIterator()
        #expect(try await pending.next() == 0)
        try await client.create(.customer, fields: Fixture.customer("C-1"))
        #expect(try await pending.next() == 1)
        _ = try await client.sync()
        #expect(try await pending.next() == 0)
    }
}
