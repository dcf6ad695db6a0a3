import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// A device whose date was set to 2100 (SPEC §2.5, §10.2): the server refuses its writes with 422
/// `clock_ahead`, other replicas never take its timestamps, and once the date is fixed the
/// device's new edits sync again instead of carrying the year 2100 forever.
@Suite("A device with a wrong clock")
struct WrongClockTests {
    final class Wall: @unchecked Sendable {
        private let lock = NSLock()
        private var offset: Int64 = 0
        func set(_ millis: Int64) { lock.withLock { offset = millis - Replica.systemMillis() } }
        func reset() { lock.withLock { offset = 0 } }
        var now: Int64 { lock.withLock { Replica.systemMillis() + offset } }
    }

    static let year2100: Int64 = 4_102_444_800_000

    @Test func editsAfterTheDateIsFixedSyncAgain() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        var li = try await makeClient(server, "li")
        let wang = try await makeClient(server, "wang")
        let wall = Wall()
        li.replica = try Replica(path: li.path, wallClock: { wall.now })
        let customer = try li.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await li.sync(server)

        wall.set(Self.year2100)
        try li.replica.update(customer.id, fields: ["notes": "written in 2100"])
        let refused = try await li.sync(server)
        #expect(refused.refused == 1)
        #expect(try li.replica.refusedEdits().map(\.code) == ["clock_ahead"])

        // The date is fixed; the next edit (of another record) is stamped now and syncs.
        wall.reset()
        let next = try li.replica.create(.customer, fields: Fixture.customer("C-2", name: "Beta"))
        let stamp = try #require(try li.replica.record(next.id)?.fields["name"]?.siblings.first?.timestamp)
        #expect(stamp.millis < Self.year2100, "stamped \(stamp)")
        let report = try await li.sync(server)
        #expect(report.refused == 0)
        try await wang.sync(server)
        #expect(try wang.replica.record(next.id)?.value(of: "name") == "Beta")
        for record in try allRecords(wang.replica).values {
            for register in record.fields.values { #expect(register.siblings.allSatisfy { $0.timestamp.millis < Self.year2100 }) }
        }
    }
}
