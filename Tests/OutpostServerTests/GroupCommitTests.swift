import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
@testable import OutpostServer

/// Group commit: concurrent pushes share one durable transaction, each in its own savepoint.
@Suite("Push group commit")
struct GroupCommitTests {
    /// A push of `records` by `token`'s user under `node`, chained after `after`.
    static func pending(_ h: Harness, _ records: [Record], token: String, node: NodeID, after: BatchID? = nil,
                        batch: BatchID = .random()) throws -> ServerDatabase.PendingPush {
        let request = PushRequest(batch: batch, node: node, after: after, records: records)
        let user = try #require(try h.database.authenticate(token: token))
        return ServerDatabase.PendingPush(request: request, body: request.jsonValue.serializedBytes(), user: user)
    }

    @Test func concurrentPushesFromManyClientsAreAllAcknowledgedAndStoredOnce() throws {
        let h = try Harness()
        let clients = 24
        let rounds = 6
        let tokens = try (0..<clients).map { try h.user("user\($0)", role: .manager, branch: "BJ") }
        let statuses = Collector<Int>()
        let accepted = Collector<PushResult>()
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            let node = NodeID(unchecked: "client-\(client)")
            for round in 0..<rounds {
                let record = Record.create(id: .random(), type: .customer, branch: "BJ",
                                           fields: ["code": .string("G-\(client)-\(round)"), "name": "Acme", "kind": "tenant", "tier": "general"],
                                           node: node, at: ts(Int64(round + 1)))
                let response = h.push([record], token: tokens[client], node: node)
                statuses.append(response.status)
                for result in (try? decodePush(response).results) ?? [] { accepted.append(result) }
            }
        }
        #expect(statuses.all.count == clients * rounds)
        #expect(statuses.all.allSatisfy { $0 == 200 })
        let results = accepted.all
        #expect(results.count == clients * rounds)
        #expect(Set(results.map(\.seq)).count == results.count)
        let pulled = try h.pullAll(token: tokens[0]).records
        #expect(Set(pulled.map(\.id)) == Set(results.map(\.id)))
        #expect(pulled.count == clients * rounds)
    }

    @Test func aRetryInsideTheSameGroupGetsTheStoredAnswerAndChangesNothing() throws {
        let h = try Harness()
        let token = try h.user("li")
        let customer = makeCustomer()
        let push = try Self.pending(h, [customer], token: token, node: nodeA)
        let outcomes = h.database.push(together: [push, push])
        let first = try outcomes[0].get()
        let retry = try outcomes[1].get()
        #expect(retry == first)
        #expect(first.results.map(\.status) == [.accepted])
        #expect(try h.database.newestSeq() == first.results[0].seq)
        #expect(try h.pullPage(token: token).records == [customer])
        // The same batch id with another body in the same group is refused, and the first stays.
        var other = push
        other.request = PushRequest(batch: push.request.batch, node: nodeA, records: [makeCustomer(code: "C-002")])
        other.body = other.request.jsonValue.serializedBytes()
        let reused = h.database.push(together: [other])
        #expect(throws: APIError.self) { try reused[0].get() }
        #expect((try? reused[0].get()) == nil)
        if case .failure(let error as APIError) = reused[0] { #expect(error.body.code == "batch_reused") }
    }

    @Test func aRefusedPushInAGroupLeavesTheOthersApplied() throws {
        let h = try Harness()
        let li = try h.user("li")
        let chen = try h.user("chen")
        let auditor = try h.user("qian", role: .auditor, branch: "HQ")
        let first = makeCustomer(code: "C-001")
        let third = makeCustomer(code: "C-003", node: nodeB, owner: "chen")
        let refused = makeCustomer(branch: "HQ", code: "C-002", node: NodeID(unchecked: "node-q"), owner: nil)
        let outcomes = h.database.push(together: [
            try Self.pending(h, [first], token: li, node: nodeA),
            try Self.pending(h, [refused], token: auditor, node: NodeID(unchecked: "node-q")),
            try Self.pending(h, [third], token: chen, node: nodeB),
        ])
        #expect(try outcomes[0].get().results.map(\.status) == [.accepted])
        guard case .failure(let error as APIError) = outcomes[1] else {
            Issue.record("the auditor's push was not refused: \(outcomes[1])")
            return
        }
        #expect(error.statusCode == 403)
        #expect(try outcomes[2].get().results.map(\.status) == [.accepted])
        #expect(try h.pullPage(token: li).records.map(\.id) == [first.id])
        #expect(try h.pullPage(token: chen).records.map(\.id) == [third.id])
        // The refused push left nothing behind, not even its node's chain: the node is still new.
        let authors = try h.database.authors(scope: AccessScope(role: .hq, branch: "HQ", user: "x")).authors
        #expect(authors[NodeID(unchecked: "node-q")] == nil)
        #expect(authors[nodeA] == "li" && authors[nodeB] == "chen")
    }

    @Test func eachPushOfAGroupIsPlannedOnTheEffectsOfThoseBeforeIt() throws {
        let h = try Harness()
        let li = try h.user("li")
        let customer = makeCustomer()
        let contact = Record.create(id: .random(), type: .contact, branch: "BJ",
                                    fields: ["customer": .string(customer.id.rawValue), "name": "Wang"], node: nodeA, at: ts(3))
        let firstPush = try Self.pending(h, [customer], token: li, node: nodeA)
        let secondPush = try Self.pending(h, [contact], token: li, node: nodeA, after: firstPush.request.batch)
        let outcomes = h.database.push(together: [firstPush, secondPush])
        let first = try outcomes[0].get()
        let second = try outcomes[1].get()
        #expect(second.results.map(\.status) == [.accepted])
        #expect(second.results[0].seq > first.results[0].seq)
    }

    @Test func nothingIsAcknowledgedWhenTheGroupsCommitFails() throws {
        let h = try Harness()
        let li = try h.user("li")
        let chen = try h.user("chen")
        let a = try Self.pending(h, [makeCustomer(code: "C-001")], token: li, node: nodeA)
        let b = try Self.pending(h, [makeCustomer(code: "C-002", node: nodeB, owner: "chen")], token: chen, node: nodeB)
        struct DiskGone: Error {}
        h.database.pushGroups.beforeCommit = { throw DiskGone() }
        let failed = h.database.push(together: [a, b])
        h.database.pushGroups.beforeCommit = nil
        for outcome in failed {
            guard case .failure(let error) = outcome else {
                Issue.record("a push was acknowledged although its group was not committed")
                continue
            }
            #expect(error is DiskGone)
        }
        #expect(try h.database.newestSeq() == 0)
        // The devices retry the same batches, byte for byte: applied now, for the first time.
        let retried = h.database.push(together: [a, b])
        for outcome in retried { #expect(try outcome.get().results.map(\.status) == [.accepted]) }
        #expect(try h.pullPage(token: li).records.count == 1)
    }
}
