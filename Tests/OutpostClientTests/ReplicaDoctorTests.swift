import Foundation
import Testing
@testable import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore
import OutpostTestSupport

/// `Replica.integrityCheck` and `Replica.repair` on real files.
@Suite("Replica doctor: integrity check and repair")
struct ReplicaDoctorTests {
    /// Overwrites the stored envelope of `id` with text that is not an envelope.
    static func garble(_ id: RecordID, in replica: Replica) throws {
        try replica.queue.write { db in
            try db.execute(sql: "UPDATE records SET state = '{\"not\": \"an envelope\"' WHERE id = ?", arguments: [id.rawValue])
        }
    }

    @Test func aSoundReplicaIsHealthy() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let report = try client.replica.integrityCheck()
        #expect(report.isHealthy)
        #expect(report.readableRecords == 1)
        #expect(Replica.integrityCheck(path: client.path) == report)
    }

    @Test func anEnvelopeThatDoesNotDecodeIsReportedByRecord() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        let good = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let bad = try client.replica.create(.customer, fields: Fixture.customer("C-2"))
        try Self.garble(bad.id, in: client.replica)
        let report = try client.replica.integrityCheck()
        #expect(!report.isHealthy)
        #expect(report.storageProblems.isEmpty, "every page is sound: only the envelope is wrong")
        #expect(report.unreadableRecords == [bad.id])
        #expect(report.readableRecords == 1)
        _ = good
    }

    @Test func aMissingFileIsReportedNotCreated() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString).db").path
        #expect(!Replica.integrityCheck(path: path).isHealthy)
        #expect(throws: ReplicaError.self) { try Replica.repair(path: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func repairQueuesPendingAndRefusedEditsAgainWithANewNodeAndTheSameSettings() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let path = server.path("li.db")
        let (settings, oldNode, kept, refused, later) = try await {
            // The replica is closed (as `outpost doctor --repair` finds it) before the repair.
            let client = try await makeClient(server, "li")
            let kept = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
            let refused = try client.replica.create(.customer, fields: Fixture.customer("C-2"))
            let batch = try #require(try client.replica.pendingBatch(limit: 1))
            #expect(batch.entries.map(\.record) == [kept.id])
            // The server refused C-1's batch; C-2 is still waiting.
            try client.replica.refuse(batch, error: ErrorBody(code: "forbidden", message: "Not in your branch."))
            let later = try client.replica.create(.contact, fields: Fixture.contact(of: refused.id))
            return (try #require(try client.replica.settings()), client.replica.node, kept, refused, later)
        }()
        let stamp = Timestamps.parse("2026-12-02T07:00:00Z")!

        let report = try Replica.repair(path: path, wallClock: { stamp })
        #expect(report.damagedFile == path + ".damaged-20261202T070000Z")
        #expect(FileManager.default.fileExists(atPath: report.damagedFile))
        #expect(report.previousNode == oldNode)
        #expect(report.node != oldNode)
        #expect(report.settings == settings)
        #expect(Set(report.salvaged.map(\.id)) == [refused.id, later.id])
        #expect(report.salvagedRefused.map(\.id) == [kept.id])
        #expect(report.lost.isEmpty)
        #expect(report.outboxComplete)

        let rebuilt = try Replica(path: path)
        #expect(rebuilt.node == report.node)
        #expect(try rebuilt.settings() == settings)
        #expect(try rebuilt.pendingChangeCount() == 3, "refused edits are offered again")
        #expect(try rebuilt.refusedEdits().isEmpty)
        #expect(try rebuilt.record(later.id)?.values == later.values)
        #expect(try rebuilt.record(later.id)?.clock[report.node] == 1, "the old node's unsent write is re-stamped under the new node")
        #expect(try rebuilt.authorNames()[oldNode] == "li", "edits of the old node are still shown as li's")
        #expect(try rebuilt.cursor() == nil, "the next sync pulls everything")
        // Customers go before the contacts that refer to them; otherwise pending edits keep their order, then the refused ones.
        let next = try #require(try rebuilt.pendingBatch(limit: 10))
        #expect(next.request.records.map(\.id) == [refused.id, kept.id, later.id])
    }

    @Test func anUnreadableRowIsSalvagedFromThePendingBatchCopy() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (customer, other) = try await {
            let client = try await makeClient(server, "li")
            let customer = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
            let other = try client.replica.create(.customer, fields: Fixture.customer("C-2"))
            _ = try #require(try client.replica.pendingBatch(limit: 1))
            try Self.garble(customer.id, in: client.replica)
            try Self.garble(other.id, in: client.replica)
            return (customer, other)
        }()

        let report = try Replica.repair(path: server.path("li.db"))
        #expect(report.salvaged.map(\.id) == [customer.id], "the batch being pushed held a copy of C-1")
        #expect(report.lost == [other.id])
    }

    @Test func rememberedAuthorsAreReplacedAndTheLocalNodeIsTheSignedInUser() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        try client.replica.queue.write { db in try Replica.rememberAuthors(["n1": "wang", "n2": "zhao"], db: db) }
        try client.replica.queue.write { db in try Replica.rememberAuthors(["n1": "wang.wei"], db: db) }
        let names = try client.replica.authorNames()
        #expect(names == [NodeID(unchecked: "n1"): "wang.wei", NodeID(unchecked: "n2"): "zhao", client.replica.node: "li"])
    }
}
