import Foundation
import Testing
import OutpostJSON
import OutpostModel
import OutpostServer

/// A push is judged on what it changes (SPEC §10.3–§10.5): copied replicas, forged writes under
/// other nodes, lifecycle tricks, merged results that break the schema, clocks in the future,
/// oversized records and reused write ids are refused, and nothing is stored.
@Suite("Hostile and damaged peers")
struct HostilePeerTests {
    /// The server's wall clock now (UTC ms).
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A raw push body with every member given explicitly.
    static func body(_ records: [Record], node: NodeID, after: BatchID?, batch: BatchID = .random(), relay: Bool = false) -> [UInt8] {
        PushRequest(batch: batch, node: node, after: after, relay: relay, records: records).jsonValue.serializedBytes()
    }

    /// The dot of `node`'s next write on a version whose clock is `clock`, which it advances (§2.4).
    static func nextWrite(of node: NodeID, in clock: inout VectorClock) -> Dot {
        let dot = Dot(node: node, counter: clock[node] + 1)
        clock = clock.merged(with: VectorClock([node: dot.counter]))
        return dot
    }

    // MARK: Node chain (§10.5)

    @Test func aCopiedReplicaPushingAfterTheSameBatchIs409NodeReused() throws {
        let h = try Harness()
        let token = try h.user("li")
        let first = BatchID.random()
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-1")], node: nodeA, after: nil, batch: first)).status == 200)
        // The original device goes on…
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-2")], node: nodeA, after: first)).status == 200)
        // …and a copy of its database, made after the first push, pushes under the same node.
        let copy = makeCustomer(code: "C-3")
        let body = try expectError(h.send("POST", "/v1/push", token: token, body: Self.body([copy], node: nodeA, after: first)), 409, "node_reused")
        #expect(body.message.contains("new device id"))
        #expect(try h.pullAll(token: token).records.count == 2)
    }

    @Test func aRestoredDeviceBackupWithAStaleAfterIs409NodeReused() throws {
        let h = try Harness()
        let token = try h.user("li")
        // The device's backup was taken before its first push: it holds after = null.
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-1")], node: nodeA, after: nil)).status == 200)
        try expectError(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-2")], node: nodeA, after: nil)), 409, "node_reused")
        #expect(try h.pullAll(token: token).records.count == 1)
    }

    /// Once the node's chain moved past a batch its answer is dropped (the device had it: it named
    /// the batch as `after`, SPEC §10.4); a replay is then judged as a new push and the chain refuses it.
    @Test func aReplayedBatchIsRefusedOnceTheChainMovedOnAndChangesNothing() throws {
        let h = try Harness()
        let token = try h.user("li")
        let first = BatchID.random()
        let firstBody = Self.body([makeCustomer(code: "C-1")], node: nodeA, after: nil, batch: first)
        let answer = h.send("POST", "/v1/push", token: token, body: firstBody)
        #expect(answer.status == 200)
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-2")], node: nodeA, after: first)).status == 200)
        let seq = try h.database.newestSeq()
        let replay = h.send("POST", "/v1/push", token: token, body: firstBody)
        try expectError(replay, 409, "node_reused")
        #expect(try h.database.newestSeq() == seq)
        #expect(try h.pullAll(token: token).records.count == 2)
    }

    @Test func aRefusedPushDoesNotAdvanceTheChain() throws {
        let h = try Harness()
        let token = try h.user("li")
        let first = BatchID.random()
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-1")], node: nodeA, after: nil, batch: first)).status == 200)
        try expectError(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-2", extra: ["tier": "gold"])], node: nodeA, after: first)),
                        422, "invalid_record")
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer(code: "C-2")], node: nodeA, after: first)).status == 200)
    }

    /// A node enrolled for another user is answered like a copied replica's (SPEC §10.5): the device
    /// takes a fresh node id, so a user who enrolled someone else's node first cannot lock it out.
    @Test func anotherUsersNodeIsAnsweredNodeReused() throws {
        let h = try Harness()
        let li = try h.user("li")
        let wang = try h.user("wang")
        #expect(h.send("POST", "/v1/push", token: li, body: Self.body([makeCustomer(code: "C-1")], node: nodeA, after: nil)).status == 200)
        try expectError(h.send("POST", "/v1/push", token: wang, body: Self.body([makeCustomer(code: "C-2")], node: nodeA, after: nil)), 409, "node_reused")
    }

    @Test func anUnknownNodeNamingABatchIsEnrolled() throws {
        let h = try Harness()
        let token = try h.user("li")
        // After a server restore the device's last batch may be one the server never saw.
        #expect(h.send("POST", "/v1/push", token: token, body: Self.body([makeCustomer()], node: nodeA, after: .random())).status == 200)
    }

    // MARK: Forged foreign writes (§10.3)

    @Test func aWriteForgedUnderAnotherNodeWithAHugeCounterIs403() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager)
        let sales = try h.user("li")
        let stored = makeCustomer(node: nodeB)
        _ = try h.pushOK([stored], token: manager)
        // A sales device claims node-b wrote the tier, with counter 2^63−1 so node-b's real later writes would be ignored.
        let forgedDot = Dot(node: nodeB, counter: UInt64(Int64.max))
        var fields = stored.fields
        fields["tier"] = Register(Sibling(dot: forgedDot, timestamp: ts(50), value: "general"))
        let forged = Record(id: stored.id, type: .customer, branch: "BJ",
                            clock: VectorClock([nodeB: UInt64(Int64.max)]), fields: fields)
        let body = try expectError(h.send("POST", "/v1/push", token: sales, body: Self.body([forged], node: nodeA, after: nil)), 403, "forbidden")
        #expect(body.message.contains(nodeB.rawValue))
        #expect(try h.pullAll(token: sales).records == [stored])
        // A new record carrying another node's writes is refused too.
        try expectError(h.send("POST", "/v1/push", token: sales, body: Self.body([makeCustomer(code: "C-9", node: nodeB)], node: nodeA, after: nil)), 403, "forbidden")
    }

    @Test func relayingIsForManagersAndSkipsTheForeignWriteCheck() throws {
        let h = try Harness()
        let sales = try h.user("li")
        let manager = try h.user("wang", role: .manager)
        let relayed = makeCustomer(node: nodeB)
        try expectError(h.send("POST", "/v1/push", token: sales, body: Self.body([relayed], node: nodeA, after: nil, relay: true)), 403, "forbidden")
        #expect(h.send("POST", "/v1/push", token: manager, body: Self.body([relayed], node: NodeID(unchecked: "relay-1"), after: nil, relay: true)).status == 200)
    }

    // MARK: Lifecycle and roles (§10.3)

    @Test func salesCannotRestoreADeletedRecordByPushingAClockThatCoversTheDelete() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager)
        let sales = try h.user("li")
        var record = makeCustomer(node: nodeB)
        try record.delete(node: nodeB, at: ts(2))
        _ = try h.pushOK([record], token: manager)
        // Same fields, no lifecycle, a clock that has seen the delete plus one write of the sales device.
        var clock = record.clock
        let dot = Self.nextWrite(of: nodeA, in: &clock)
        var fields = record.fields
        fields["notes"] = Register(Sibling(dot: dot, timestamp: ts(3), value: "back again"))
        let sneaky = Record(id: record.id, type: .customer, branch: "BJ", clock: clock, fields: fields)
        try expectError(h.push([sneaky], token: sales, node: nodeA), 403, "forbidden")
        #expect(try h.pullAll(token: sales).records.first?.isDeleted == true)
    }

    @Test func salesCannotDeleteByResendingAnOldDeleteInsideADominatingVersion() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager)
        let sales = try h.user("li")
        var record = makeCustomer(node: nodeB)
        try record.delete(node: nodeB, at: ts(2))
        let deleted = record
        try record.restore(node: nodeB, at: ts(3))
        _ = try h.pushOK([record], token: manager)
        // The old delete sibling, in a version whose clock dominates the restored one.
        var clock = record.clock
        let dot = Self.nextWrite(of: nodeA, in: &clock)
        var fields = record.fields
        fields["notes"] = Register(Sibling(dot: dot, timestamp: ts(4), value: "gone"))
        let sneaky = Record(id: record.id, type: .customer, branch: "BJ", clock: clock, fields: fields, lifecycle: deleted.lifecycle)
        try expectError(h.push([sneaky], token: sales, node: nodeA), 403, "forbidden")
        #expect(try h.pullAll(token: sales).records.first?.isDeleted == false)
    }

    @Test func anAuditorsEmptyBatchIs403() throws {
        let h = try Harness()
        let auditor = try h.user("qian", role: .auditor, branch: "HQ")
        try expectError(h.send("POST", "/v1/push", token: auditor, body: Self.body([], node: nodeA, after: nil)), 403, "forbidden")
    }

    // MARK: The merged result (§10.2)

    @Test func aMergeThatLeavesALiveCustomerWithoutTierIs422() throws {
        let h = try Harness()
        let wang = try h.user("wang", role: .manager)
        let zhou = try h.user("zhou", role: .manager)
        // Stored: created by node-b, then restored by node-b (hlc 100).
        var stored = makeCustomer(node: nodeB)
        try stored.restore(node: nodeB, at: ts(100))
        _ = try h.pushOK([stored], token: wang)
        // Pushed: a deleted version (hlc 50) that has seen the creation but holds no tier: valid on its own.
        var clock = VectorClock([nodeB: 1])
        let dot = Self.nextWrite(of: nodeA, in: &clock)
        var fields = makeCustomer(id: stored.id, node: nodeB).fields
        fields["tier"] = nil
        let pushed = Record(id: stored.id, type: .customer, branch: "BJ", clock: clock, fields: fields,
                            lifecycle: Register(Sibling(dot: dot, timestamp: ts(50), value: .deleted(seen: clock))))
        // Merged: tier dropped (seen and not held by the push), the restore wins: a live customer without tier.
        let merged = try stored.merged(with: pushed)
        #expect(!merged.isDeleted && merged.fields["tier"] == nil)
        let body = try expectError(h.push([pushed], token: zhou, node: nodeA), 422, "invalid_record")
        #expect(body.details.first?.field == "tier")
        #expect(try h.pullAll(token: wang).records == [stored])
    }

    @Test func writesStampedFarInTheFutureAre422ClockAhead() throws {
        let h = try Harness()
        let token = try h.user("li")
        let ahead = makeCustomer(code: "C-1", at: Self.now + 2 * 3_600_000)
        let body = try expectError(h.push([ahead], token: token), 422, "clock_ahead")
        #expect(body.details.first?.record == ahead.id.rawValue)
        #expect(body.message.contains("date and time"))
        // Within the tolerance (one hour by default) is fine.
        _ = try h.pushOK([makeCustomer(code: "C-2", at: Self.now + 30 * 60_000)], token: token)
    }

    @Test func theClockSkewToleranceIsAServerSetting() throws {
        let h = try Harness(maxClockSkewMillis: 60_000)
        let token = try h.user("li")
        try expectError(h.push([makeCustomer(at: Self.now + 10 * 60_000)], token: token), 422, "clock_ahead")
    }

    @Test func aFutureWriteTheServerAlreadyHoldsIsNotJudgedAgain() throws {
        let h = try Harness()
        let token = try h.user("li")
        let future = makeCustomer(at: Self.now + 30 * 60_000)
        _ = try h.pushOK([future], token: token)
        // The same database served with a tolerance of one minute: only new writes are judged.
        let strict = try Harness(reopening: h.server.path("server.db"), like: h, maxClockSkewMillis: 60_000)
        _ = try strict.pushOK([try edited(future, ["notes": "checked"], at: Self.now)], token: token, node: nodeA)
        try expectError(strict.push([makeCustomer(code: "C-2", at: Self.now + 30 * 60_000)], token: token), 422, "clock_ahead")
    }

    // MARK: Limits (§14)

    @Test func aRecordOver256KiBIs413() throws {
        let h = try Harness()
        let token = try h.user("li")
        let big = makeCustomer(extra: ["notes": .string(String(repeating: "x", count: 300 * 1024))])
        let body = try expectError(h.push([big], token: token), 413, "record_too_large")
        #expect(body.details.first?.record == big.id.rawValue)
    }

    @Test func aClockOf257EntriesIs413() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let base = makeCustomer()
        var counters: [NodeID: UInt64] = [:]
        for index in 0..<257 { counters[NodeID(unchecked: "n\(index)")] = 1 }
        counters[nodeA] = 1
        let wide = Record(id: base.id, type: .customer, branch: "BJ", clock: VectorClock(counters), fields: base.fields)
        try expectError(h.push([wide], token: hq, relay: true), 413, "record_too_large")
    }

    @Test func aFieldWith65SiblingsIs413() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let base = makeCustomer()
        var counters: [NodeID: UInt64] = [nodeA: 1]
        var siblings: [Sibling<JSONValue>] = []
        for index in 0..<65 {
            let node = NodeID(unchecked: "n\(index)")
            counters[node] = 1
            siblings.append(Sibling(dot: Dot(node: node, counter: 1), timestamp: ts(2), value: .string("Name \(index)")))
        }
        var fields = base.fields
        fields["name"] = Register(siblings: siblings)
        let conflicted = Record(id: base.id, type: .customer, branch: "BJ", clock: VectorClock(counters), fields: fields)
        let body = try expectError(h.push([conflicted], token: hq, relay: true), 413, "record_too_large")
        #expect(body.message.contains("name"))
    }

    // MARK: Reused write ids (§10.3)

    @Test func aWriteIdHeldWithOtherContentIs409DotReused() throws {
        let h = try Harness()
        let token = try h.user("li")
        let stored = makeCustomer()
        _ = try h.pushOK([stored], token: token)
        // Same clock, same dot, another name: a replica that re-used its counter.
        let twin = Record.create(id: stored.id, type: .customer, branch: "BJ",
                                 fields: ["code": "C-001", "name": "Other", "kind": "enterprise", "tier": "core", "owner": "li"], node: nodeA, at: ts(1))
        let body = try expectError(h.push([twin], token: token), 409, "dot_reused")
        #expect(body.details.first?.record == stored.id.rawValue)
        #expect(body.details.first?.field == "name")
        #expect(try h.pullAll(token: token).records == [stored])
    }

    @Test func equalClocksWithOtherContentAre409DotReused() throws {
        let h = try Harness()
        let token = try h.user("li")
        let stored = makeCustomer(extra: ["notes": "first visit"])
        _ = try h.pushOK([stored], token: token)
        // The same writes claimed, but the notes are gone without any later write.
        var fields = stored.fields
        fields["notes"] = nil
        let stripped = Record(id: stored.id, type: .customer, branch: "BJ", clock: stored.clock, fields: fields)
        try expectError(h.push([stripped], token: token), 409, "dot_reused")
        #expect(try h.pullAll(token: token).records == [stored])
    }

    // MARK: Precedence (§10)

    @Test func forbiddenComesBeforeTooLargeAndMismatchBeforeDotReused() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let sales = try h.user("li")
        let other = makeCustomer(branch: "SH", node: nodeB, owner: nil)
        _ = try h.pushOK([other], token: hq, node: nodeB)
        let big = makeCustomer(code: "C-2", extra: ["notes": .string(String(repeating: "x", count: 300 * 1024))])
        try expectError(h.push([big, try edited(other, ["notes": "x"], node: nodeA, at: 5)], token: sales, node: nodeA), 403, "forbidden")

        let stored = makeCustomer(branch: "BJ", node: nodeB, at: 3)
        _ = try h.pushOK([stored], token: hq, node: nodeB)
        let impostor = makeCustomer(branch: "BJ", id: other.id, node: nodeB, at: 3)
        let reused = Record.create(id: stored.id, type: .customer, branch: "BJ",
                                   fields: ["code": "C-001", "name": "Other", "kind": "enterprise", "tier": "core"], node: nodeB, at: ts(3))
        try expectError(h.push([reused, impostor], token: hq, node: nodeB), 422, "record_mismatch")
    }
}
