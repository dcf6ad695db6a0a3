import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

/// Tombstones are purged after the horizon (SPEC §11.3): seqs are never reused, devices that may
/// have missed a purged deletion re-list, and a purged record is never brought back.
@Suite("Tombstone purge")
struct TombstonePurgeTests {
    static let day: Int64 = 86_400_000
    /// A moment `days` days from now (the purge's clock; correctness does not depend on it).
    static func later(_ days: Int64) -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) + days * day }

    /// A manager's customers A (deleted) and B (live); returns the token, A as it was before the delete, and B.
    static func setUp(_ h: Harness) throws -> (token: String, liveA: Record, b: Record, cursorBeforeDelete: String) {
        let token = try h.user("wang", role: .manager)
        let a = makeCustomer(code: "C-001")
        let b = makeCustomer(code: "C-002")
        try h.pushOK([a, b], token: token)
        let cursor = try h.pullAll(token: token).cursor
        var deleted = a
        try deleted.delete(node: nodeA, at: ts(10))
        try h.pushOK([deleted], token: token)
        return (token, a, b, cursor)
    }

    @Test func onlyTombstonesPastTheHorizonArePurgedAndSeqsAreNeverReused() throws {
        let h = try Harness()
        let s = try Self.setUp(h)
        let highest = try h.database.newestSeq()
        #expect(try h.database.purgeTombstones(olderThanDays: 90, now: Self.later(89)).purged == 0)
        let purge = try h.database.purgeTombstones(olderThanDays: 90, now: Self.later(91))
        #expect(purge.purged == 1)
        #expect(purge.purgedThrough == highest)
        #expect(try h.pullAll(token: s.token).records.map(\.id) == [s.b.id])
        #expect(try h.database.newestSeq() == highest, "the purged tombstone's seq still counts as issued")
        let c = try h.pushOK([makeCustomer(code: "C-003")], token: s.token)
        #expect(c.results[0].seq == highest + 1)
    }

    @Test func aCursorFromBeforeThePurgePointIsAskedToRecover() throws {
        let h = try Harness()
        let s = try Self.setUp(h)
        let caughtUp = try h.pullAll(token: s.token).cursor
        try h.database.purgeTombstones(olderThanDays: 90, now: Self.later(91))
        try expectError(h.pull(token: s.token, cursor: s.cursorBeforeDelete), 409, "recovery_required")
        #expect(h.pull(token: s.token, cursor: caughtUp).status == 200, "a device that pulled the deletion goes on")
        // A salesperson's quiet scope: its last page moves its cursor past every seq issued.
        let li = try h.user("li")
        let quiet = try h.pullAll(token: li).cursor
        try h.pushOK([makeCustomer(code: "C-009", owner: "wang")], token: s.token)
        var other = makeCustomer(code: "C-010", owner: "wang")
        try h.pushOK([other], token: s.token)
        try other.delete(node: nodeA, at: ts(20))
        try h.pushOK([other], token: s.token)
        try h.database.purgeTombstones(olderThanDays: 90, now: Self.later(200))
        #expect(h.pull(token: li, cursor: quiet).status == 409)
        let relisted = try h.pullAll(token: li).cursor
        #expect(h.pull(token: li, cursor: relisted).status == 200, "re-listing once is enough, even with nothing in scope")
    }

    @Test func aPurgedRecordIsNeverBroughtBack() throws {
        let h = try Harness()
        let s = try Self.setUp(h)
        try h.database.purgeTombstones(olderThanDays: 90, now: Self.later(91))
        let highest = try h.database.newestSeq()
        // A device away since before the delete edits its live copy and pushes it.
        let stale = try edited(s.liveA, ["name": "Acme Revived"], at: 30)
        let refused = try expectError(h.push([stale], token: s.token), 422, "invalid_record")
        #expect(refused.details.map(\.record) == [s.liveA.id.rawValue])
        #expect(try h.database.newestSeq() == highest)
        #expect(try h.pullAll(token: s.token).records.map(\.id) == [s.b.id])
        // The recovery diff does not ask for it.
        let diff = try h.database.diff(DiffRequest(records: [.init(id: s.liveA.id, clock: stale.clock)]), scope: AccessScope(role: .manager, branch: "BJ", user: "wang"))
        #expect(diff.missing.isEmpty)
    }

    @Test func aDeletedCustomerALiveRecordStillNamesIsKept() throws {
        let h = try Harness()
        let token = try h.user("wang", role: .manager)
        var customer = makeCustomer()
        let contact = Record.create(id: .random(), type: .contact, branch: "BJ",
                                    fields: ["customer": .string(customer.id.rawValue), "name": "Wang"], node: nodeA, at: ts(3))
        try h.pushOK([customer, contact], token: token)
        try customer.delete(node: nodeA, at: ts(10))
        try h.pushOK([customer], token: token)
        #expect(try h.database.purgeTombstones(olderThanDays: 90, now: Self.later(91)).purged == 0)
        #expect(Set(try h.pullAll(token: token).records.map(\.id)) == [customer.id, contact.id])
    }
}
