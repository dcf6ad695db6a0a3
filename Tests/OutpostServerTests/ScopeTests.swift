import Foundation
import Testing
import OutpostClient
import OutpostModel
import OutpostServer

@Suite("Access scope: branches and roles")
struct ScopeTests {
    @Test func salesCannotPushAnotherBranchsRecordAndNothingIsStored() throws {
        let h = try Harness()
        let sales = try h.user("li", role: .sales, branch: "BJ")
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let shanghai = makeCustomer(branch: "SH")
        let body = try expectError(h.push([makeCustomer(branch: "BJ"), shanghai], token: sales), 403, "forbidden")
        #expect(body.details.first?.record == shanghai.id.rawValue)
        #expect(try h.pullAll(token: hq).records.isEmpty)
    }

    @Test func forbiddenWinsOverInvalidRecordsInTheSameBatch() throws {
        let h = try Harness()
        let sales = try h.user("li", role: .sales, branch: "BJ")
        let invalid = makeCustomer(branch: "BJ", extra: ["tier": "gold"])
        try expectError(h.push([invalid, makeCustomer(branch: "SH")], token: sales), 403, "forbidden")
    }

    @Test func salesCannotIntroduceADelete() throws {
        let h = try Harness()
        let sales = try h.user("li", role: .sales, branch: "BJ")
        let record = makeCustomer()
        _ = try h.pushOK([record], token: sales)
        var deleted = try #require(try h.pullPage(token: sales).records.first)
        try deleted.delete(node: nodeA, at: ts(5))
        let body = try expectError(h.push([deleted], token: sales), 403, "forbidden")
        #expect(body.details.first?.record == record.id.rawValue)
        #expect(try h.pullPage(token: sales).records.first?.isDeleted == false)
    }

    @Test func salesCannotPushANewRecordThatIsAlreadyDeleted() throws {
        let h = try Harness()
        let sales = try h.user("li", role: .sales, branch: "BJ")
        var record = makeCustomer()
        try record.delete(node: nodeA, at: ts(2))
        try expectError(h.push([record], token: sales), 403, "forbidden")
        #expect(try h.pullPage(token: sales).records.isEmpty)
    }

    @Test func salesMayRepushARecordWhoseDeleteTheServerAlreadyHas() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        let sales = try h.user("li", role: .sales, branch: "BJ")
        var record = makeCustomer()
        _ = try h.pushOK([record], token: manager)
        try record.delete(node: nodeB, at: ts(3))
        _ = try h.pushOK([record], token: manager)
        let pulled = try #require(try h.pullPage(token: sales).records.first)
        let result = try h.pushOK([pulled], token: sales).results[0]
        #expect(result.status == .accepted)
    }

    @Test func managerMayDeleteInOwnBranch() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        var record = makeCustomer()
        _ = try h.pushOK([record], token: manager)
        try record.delete(node: nodeB, at: ts(3))
        let result = try h.pushOK([record], token: manager).results[0]
        #expect(result.status == .accepted)
        let stored = try #require(try h.pullPage(token: manager).records.first)
        #expect(stored.isDeleted)
    }

    @Test func managerCannotWriteAnotherBranch() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        try expectError(h.push([makeCustomer(branch: "SH")], token: manager), 403, "forbidden")
    }

    @Test func hqMayWriteEveryBranch() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let response = try h.pushOK([makeCustomer(branch: "BJ"), makeCustomer(branch: "SH")], token: hq)
        #expect(response.results.map(\.status) == [.accepted, .accepted])
    }

    @Test func auditorCannotPushButPullsEveryBranch() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let auditor = try h.user("audit", role: .auditor, branch: "HQ")
        let records = [makeCustomer(branch: "BJ"), makeCustomer(branch: "SH"), makeCustomer(branch: "GZ")]
        _ = try h.pushOK(records, token: hq)
        try expectError(h.push([makeCustomer(branch: "HQ")], token: auditor), 403, "forbidden")
        try expectError(h.push([try edited(records[0], ["name": "X"])], token: auditor), 403, "forbidden")
        #expect(try h.pullAll(token: auditor).records == records)
    }

    @Test func pullForABranchUserReturnsOnlyThatBranch() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let salesBJ = try h.user("li", role: .sales, branch: "BJ")
        let managerSH = try h.user("wang", role: .manager, branch: "SH")
        var records: [Record] = []
        for index in 0..<12 { records.append(makeCustomer(branch: ["BJ", "SH", "GZ"][index % 3], code: "C-\(index)")) }
        _ = try h.pushOK(records, token: hq)
        let beijing = try h.pullAll(token: salesBJ, limit: 2).records
        #expect(beijing == records.filter { $0.branch == "BJ" })
        #expect(try h.pullAll(token: managerSH).records == records.filter { $0.branch == "SH" })
        #expect(try h.pullAll(token: hq).records == records)
    }
}
