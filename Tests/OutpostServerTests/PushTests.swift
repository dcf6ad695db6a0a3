import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

@Suite("Push: merging, idempotency and atomicity")
struct PushTests {
    @Test func newRecordIsAcceptedWithAPositiveSeq() throws {
        let h = try Harness()
        let token = try h.user("li")
        let record = makeCustomer()
        let response = try h.pushOK([record], token: token)
        #expect(response.results.count == 1)
        let result = try #require(response.results.first)
        #expect(result.id == record.id)
        #expect(result.status == .accepted)
        #expect(result.seq >= 1)
        #expect(try h.pullPage(token: token).records == [record])
    }

    @Test func resultsFollowRequestOrderWithIncreasingSeqs() throws {
        let h = try Harness()
        let token = try h.user("li")
        let records = (0..<5).map { makeCustomer(code: "C-\($0)") }
        let response = try h.pushOK(records, token: token)
        #expect(response.results.map(\.id) == records.map(\.id))
        let seqs = response.results.map(\.seq)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
    }

    @Test func newerVersionIsAcceptedWithANewSeq() throws {
        let h = try Harness()
        let token = try h.user("li")
        let v1 = makeCustomer()
        let first = try h.pushOK([v1], token: token).results[0]
        let v2 = try edited(v1, ["name": "Acme Ltd"])
        let second = try h.pushOK([v2], token: token).results[0]
        #expect(second.status == .accepted)
        #expect(second.seq > first.seq)
        #expect(try h.pullPage(token: token).records == [v2])
    }

    @Test func olderVersionChangesNothingAndKeepsTheSeq() throws {
        let h = try Harness()
        let token = try h.user("li")
        let v1 = makeCustomer()
        _ = try h.pushOK([v1], token: token)
        let v2 = try edited(v1, ["name": "Acme Ltd"])
        let stored = try h.pushOK([v2], token: token).results[0]
        let cursor = try h.pullAll(token: token).cursor

        let stale = try h.pushOK([v1], token: token).results[0]
        #expect(stale.seq == stored.seq)
        #expect(stale.status != .conflict)
        #expect(try h.pullPage(token: token, cursor: cursor).records.isEmpty)
        #expect(try h.pullPage(token: token).records == [v2])
    }

    @Test func repushingTheStoredVersionIsAcceptedWithoutANewSeq() throws {
        let h = try Harness()
        let token = try h.user("li")
        let v1 = makeCustomer()
        let first = try h.pushOK([v1], token: token).results[0]
        let cursor = try h.pullAll(token: token).cursor
        let again = try h.pushOK([v1], token: token).results[0]
        #expect(again.status == .accepted)
        #expect(again.seq == first.seq)
        #expect(try h.pullPage(token: token, cursor: cursor).records.isEmpty)
    }

    @Test func concurrentEditsOfDifferentFieldsAreMerged() throws {
        let h = try Harness()
        let token = try h.user("li")
        let base = makeCustomer()
        _ = try h.pushOK([base], token: token)
        let mine = try edited(base, ["name": "Acme Ltd"], node: nodeA, at: 10)
        let theirs = try edited(base, ["industry": "Steel"], node: nodeB, at: 11)
        let first = try h.pushOK([mine], token: token).results[0]
        #expect(first.status == .accepted)
        let second = try h.pushOK([theirs], token: token).results[0]
        #expect(second.status == .merged)
        #expect(second.seq > first.seq)
        let stored = try #require(try h.pullPage(token: token).records.first)
        #expect(stored == (try mine.merged(with: theirs)))
        #expect(stored.value(of: "name") == "Acme Ltd")
        #expect(stored.value(of: "industry") == "Steel")
        #expect(!stored.hasConflicts)
    }

    @Test func concurrentEditsOfTheSameFieldAreAConflictKeepingBothValues() throws {
        let h = try Harness()
        let token = try h.user("li")
        let base = makeCustomer()
        _ = try h.pushOK([base], token: token)
        _ = try h.pushOK([try edited(base, ["name": "Acme Ltd"], node: nodeA, at: 10)], token: token)
        let result = try h.pushOK([try edited(base, ["name": "ACME Group"], node: nodeB, at: 11)], token: token).results[0]
        #expect(result.status == .conflict)
        let stored = try #require(try h.pullPage(token: token).records.first)
        #expect(stored.hasConflicts)
        #expect(Set(stored.fields["name"]?.siblings.map(\.value) ?? []) == ["Acme Ltd", "ACME Group"])
    }

    @Test func resolvingAConflictIsAccepted() throws {
        let h = try Harness()
        let token = try h.user("li")
        let base = makeCustomer()
        _ = try h.pushOK([base], token: token)
        _ = try h.pushOK([try edited(base, ["name": "Acme Ltd"], node: nodeA, at: 10)], token: token)
        _ = try h.pushOK([try edited(base, ["name": "ACME Group"], node: nodeB, at: 11)], token: token)
        let conflicted = try #require(try h.pullPage(token: token).records.first)
        let resolved = try edited(conflicted, ["name": "Acme Group Ltd"], node: nodeB, at: 12)
        let result = try h.pushOK([resolved], token: token).results[0]
        #expect(result.status == .accepted)
        #expect(try h.pullPage(token: token).records == [resolved])
    }

    @Test func sameBatchAndSameBodyTwiceAnswersIdenticallyAndChangesNothing() throws {
        let h = try Harness()
        let token = try h.user("li")
        let base = makeCustomer()
        _ = try h.pushOK([base], token: token)
        let batch = newBatch()
        let body = h.pushBody([try edited(base, ["name": "Acme Ltd"]), makeCustomer(code: "C-002")], batch: batch, token: token)
        let first = h.send("POST", "/v1/push", token: token, body: body)
        #expect(first.status == 200)
        let cursor = try h.pullAll(token: token).cursor
        let second = h.send("POST", "/v1/push", token: token, body: body)
        #expect(second.status == 200)
        #expect(second.body == first.body)
        #expect(try decodePush(second) == decodePush(first))
        #expect(try decodePush(second).batch.rawValue == batch)
        #expect(try h.pullPage(token: token, cursor: cursor).records.isEmpty)
    }

    /// The replay comes after the chain moved on, so its stored answer is gone (SPEC §10.4): the
    /// chain refuses it, and it changes nothing.
    @Test func replayedBatchDoesNotUndoLaterChanges() throws {
        let h = try Harness()
        let token = try h.user("li")
        let v1 = makeCustomer()
        let batch = newBatch()
        let body = h.pushBody([v1], batch: batch, token: token)
        let first = h.send("POST", "/v1/push", token: token, body: body)
        let v2 = try edited(v1, ["name": "Acme Ltd"])
        _ = try h.pushOK([v2], token: token)
        #expect(first.status == 200)
        let replay = h.send("POST", "/v1/push", token: token, body: body)
        try expectError(replay, 409, "node_reused")
        #expect(try h.pullPage(token: token).records == [v2])
    }

    @Test func sameBatchWithADifferentBodyIs409BatchReused() throws {
        let h = try Harness()
        let token = try h.user("li")
        let batch = newBatch()
        _ = try h.pushOK([makeCustomer(code: "C-001")], token: token, batch: batch)
        let cursor = try h.pullAll(token: token).cursor
        try expectError(h.push([makeCustomer(code: "C-002")], token: token, batch: batch), 409, "batch_reused")
        #expect(try h.pullPage(token: token, cursor: cursor).records.isEmpty)
    }

    @Test func batchIdsAreScopedPerUser() throws {
        let h = try Harness()
        let li = try h.user("li")
        let wang = try h.user("wang", role: .manager)
        let batch = newBatch()
        _ = try h.pushOK([makeCustomer(code: "C-001")], token: li, batch: batch)
        _ = try h.pushOK([makeCustomer(code: "C-002", node: nodeB)], token: wang, batch: batch)
        #expect(try h.pullAll(token: li).records.count == 2)
    }

    static let invalidCustomers: [(String, [String: JSONValue], String)] = [
        ("tier gold", ["code": "C-9", "name": "Bad", "kind": "enterprise", "tier": "gold", "owner": "li"], "tier"),
        ("unknown field", ["code": "C-9", "name": "Bad", "kind": "enterprise", "tier": "core", "colour": "red", "owner": "li"], "colour"),
        ("missing name", ["code": "C-9", "kind": "enterprise", "tier": "core", "owner": "li"], "name"),
        ("wrong type", ["code": "C-9", "name": 42, "kind": "enterprise", "tier": "core", "owner": "li"], "name"),
    ]

    @Test(arguments: 0..<invalidCustomers.count)
    func batchWithOneInvalidRecordIs422AndStoresNothing(index: Int) throws {
        let (label, fields, field) = Self.invalidCustomers[index]
        let h = try Harness()
        let token = try h.user("li")
        let valid = makeCustomer(code: "C-001")
        let invalid = Record.create(id: .random(), type: .customer, branch: "BJ", fields: fields, node: nodeA, at: ts(1))
        let body = try expectError(h.push([valid, invalid], token: token), 422, "invalid_record")
        #expect(body.details.count == 1, "\(label)")
        #expect(body.details.first?.record == invalid.id.rawValue, "\(label)")
        #expect(body.details.first?.field == field, "\(label)")
        #expect(try h.pullPage(token: token).records.isEmpty, "\(label)")
    }

    @Test func invalidEditOfAStoredRecordLeavesItUnchanged() throws {
        let h = try Harness()
        let token = try h.user("li")
        let v1 = makeCustomer()
        _ = try h.pushOK([v1], token: token)
        let cursor = try h.pullAll(token: token).cursor
        try expectError(h.push([makeCustomer(code: "C-2"), try edited(v1, ["tier": "gold"])], token: token), 422, "invalid_record")
        #expect(try h.pullPage(token: token, cursor: cursor).records.isEmpty)
        #expect(try h.pullPage(token: token).records == [v1])
    }

    @Test func everyInvalidRecordOfABatchIsNamed() throws {
        let h = try Harness()
        let token = try h.user("li")
        let a = makeCustomer(code: "C-1", extra: ["tier": "gold"])
        let b = makeCustomer(code: "C-2", extra: ["creditRating": "Z"])
        let body = try expectError(h.push([a, makeCustomer(code: "C-3"), b], token: token), 422, "invalid_record")
        #expect(Set(body.details.compactMap(\.record)) == [a.id.rawValue, b.id.rawValue])
        #expect(Set(body.details.compactMap(\.field)) == ["tier", "creditRating"])
    }

    @Test func refusedBatchIdCanBeRetriedWithCorrectedContents() throws {
        let h = try Harness()
        let token = try h.user("li")
        let batch = newBatch()
        let good = makeCustomer(code: "C-001")
        try expectError(h.push([good, makeCustomer(code: "C-002", extra: ["tier": "gold"])], token: token, batch: batch), 422, "invalid_record")
        let retried = try h.pushOK([good], token: token, batch: batch)
        #expect(retried.results.map(\.status) == [.accepted])
        #expect(try h.pullPage(token: token).records == [good])
    }

    @Test func differentBranchThanStoredIs422RecordMismatch() throws {
        let h = try Harness()
        let token = try h.user("zhao", role: .hq, branch: "HQ")
        let stored = makeCustomer(branch: "BJ")
        _ = try h.pushOK([stored], token: token)
        let impostor = makeCustomer(branch: "SH", id: stored.id, node: nodeB)
        let body = try expectError(h.push([impostor, makeCustomer(code: "C-2", node: nodeB)], token: token), 422, "record_mismatch")
        #expect(body.details.first?.record == stored.id.rawValue)
        #expect(try h.pullPage(token: token).records == [stored])
    }

    @Test func differentTypeThanStoredIs422RecordMismatch() throws {
        let h = try Harness()
        let token = try h.user("li")
        let stored = makeCustomer()
        _ = try h.pushOK([stored], token: token)
        let contact = Record.create(id: stored.id, type: .contact, branch: "BJ",
                                    fields: ["customer": .string(stored.id.rawValue), "name": "Wang"], node: nodeB, at: ts(5))
        let body = try expectError(h.push([contact], token: token), 422, "record_mismatch")
        #expect(body.details.first?.record == stored.id.rawValue)
        #expect(try h.pullPage(token: token).records == [stored])
    }

    @Test func aBatchOfExactlyTheMaximumSizeIsAccepted() throws {
        let h = try Harness()
        let token = try h.user("li")
        let records = (0..<SyncProtocol.maxBatchRecords).map { makeCustomer(code: "C-\($0)") }
        let response = try h.pushOK(records, token: token)
        #expect(response.results.count == SyncProtocol.maxBatchRecords)
        #expect(try h.pullAll(token: token).records.count == SyncProtocol.maxBatchRecords)
    }
}
