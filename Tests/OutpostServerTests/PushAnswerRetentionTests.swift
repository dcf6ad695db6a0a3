import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
@testable import OutpostServer

/// Stored push answers are bounded: one per node, that of its last acknowledged batch (SPEC §10.4).
@Suite("Push answer retention")
struct PushAnswerRetentionTests {
    static func storedAnswers(_ h: Harness) throws -> Int {
        try h.database.pool.read { db in try db.fetchScalar(sql: "SELECT COUNT(*) FROM batches") ?? 0 }
    }

    @Test func onlyEachNodesLastAnswerIsKept() throws {
        let h = try Harness()
        let li = try h.user("li")
        let chen = try h.user("chen")
        var customer = makeCustomer()
        try h.pushOK([customer], token: li)
        for round in 0..<5 {
            customer = try edited(customer, ["name": .string("Round \(round)")], at: Int64(10 + round))
            try h.pushOK([customer], token: li)
        }
        try h.pushOK([makeCustomer(code: "C-002", node: nodeB, owner: "chen")], token: chen)
        #expect(try Self.storedAnswers(h) == 2)
    }

    @Test func theLastBatchRetriedAfterOtherNodesPushedGetsItsAnswer() throws {
        let h = try Harness()
        let li = try h.user("li")
        let chen = try h.user("chen")
        let batch = newBatch()
        let body = h.pushBody([makeCustomer()], batch: batch, token: li)
        let first = h.send("POST", "/v1/push", token: li, body: body)
        try #require(first.status == 200)
        try h.pushOK([makeCustomer(code: "C-002", node: nodeB, owner: "chen")], token: chen)
        let retry = h.send("POST", "/v1/push", token: li, body: body)
        #expect(retry.status == 200)
        #expect(retry.body == first.body)
        #expect(try h.database.newestSeq() == 2)
    }

    /// A device names a batch as `after` only once it holds that batch's answer, so it never retries
    /// it again; a replay of a superseded batch (a stale copy, a delayed duplicate) is judged as a
    /// new push of the node: the chain refuses it and nothing is applied twice.
    @Test func aSupersededBatchReplayedAfterItsAnswerWasDroppedIsNotAppliedAgain() throws {
        let h = try Harness()
        let li = try h.user("li")
        let customer = makeCustomer()
        let firstBody = h.pushBody([customer], token: li)
        try #require(h.send("POST", "/v1/push", token: li, body: firstBody).status == 200)
        let renamed = try edited(customer, ["name": "Renamed"], at: 5)
        let second = try h.pushOK([renamed], token: li)
        #expect(try Self.storedAnswers(h) == 1)

        let replay = h.send("POST", "/v1/push", token: li, body: firstBody)
        try expectError(replay, 409, "node_reused")
        let pulled = try h.pullPage(token: li).records
        #expect(pulled == [renamed])
        #expect(try h.database.newestSeq() == second.results[0].seq)
    }
}
