import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// A device away for longer than the tombstone horizon (SPEC §11.3): its cursor is refused with
/// 409 `recovery_required`, and its recovery sync keeps its unsent edits, re-lists everything, and
/// drops the records the server purged — one it had edited is kept in the set-aside list, never
/// brought back to life.
@Suite("Recovery after a tombstone purge")
struct TombstonePurgeRecoveryTests {
    static let ninetyOneDaysLater = Int64(Date().timeIntervalSince1970 * 1000) + 91 * 86_400_000

    @Test func aDeviceAwayPastTheHorizonKeepsItsOutboxDropsPurgedRecordsAndConverges() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let bob = try await makeClient(server, "bob")
        let doomed = try alice.replica.create(.customer, fields: Fixture.customer("C-1", name: "Doomed"))
        let quiet = try alice.replica.create(.customer, fields: Fixture.customer("C-2", name: "Quiet"))
        let kept = try alice.replica.create(.customer, fields: Fixture.customer("C-3", name: "Kept"))
        try await alice.sync(server)
        try await bob.sync(server)

        // Bob goes away: he edits the customer alice is about to delete, another one, and adds one.
        _ = try bob.replica.update(doomed.id, fields: ["name": "Doomed, edited away"])
        _ = try bob.replica.update(kept.id, fields: ["name": "Kept, edited away"])
        let added = try bob.replica.create(.customer, fields: Fixture.customer("C-4", name: "Added away"))
        // Alice deletes C-1 and C-2; months later the server purges both tombstones.
        _ = try alice.replica.delete(doomed.id)
        _ = try alice.replica.delete(quiet.id)
        try await alice.sync(server)
        let purge = try server.database.purgeTombstones(olderThanDays: 90, now: Self.ninetyOneDaysLater)
        #expect(purge.purged == 2)

        let report = try await bob.sync(server)
        #expect(report.refused == 1, "the edit of the purged customer is set aside, not applied")
        // The unsent edits of live records reached the server; nothing purged came back.
        let fresh = Client(name: "bob-new", path: server.path("bob-new.db"), token: bob.token,
                           replica: try Replica(path: server.path("bob-new.db")))
        try await fresh.sync(server)
        let onServer = try allRecords(fresh.replica)
        #expect(Set(onServer.keys) == [kept.id, added.id])
        #expect(onServer[kept.id]?.value(of: "name") == "Kept, edited away")
        // Bob holds exactly what the server holds; his edit of the purged customer waits set aside.
        #expect(try allRecords(bob.replica) == onServer)
        #expect(try bob.replica.setAsideRecords().map(\.record.id) == [doomed.id])
        // Alice (who still holds her tombstones) converges on every live record.
        try await alice.sync(server)
        let aliceLive = try allRecords(alice.replica).filter { !$0.value.isDeleted }
        #expect(aliceLive == onServer)
        // And bob's next sync is an ordinary one.
        let next = try await bob.sync(server)
        #expect(next.refused == 0)
        #expect(try allRecords(bob.replica) == onServer)
    }
}
