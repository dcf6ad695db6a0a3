import Foundation
import Testing
import OutpostClient
import OutpostJSON
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

    /// Sales used to read the whole branch; now a salesperson pulls only its own customers (and
    /// those shared with it), while managers still pull the whole branch and HQ every branch.
    @Test func pullForABranchUserReturnsOnlyThatBranchAndSalesOnlyItsOwnCustomers() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let salesBJ = try h.user("li", role: .sales, branch: "BJ")
        _ = try h.user("wu", role: .sales, branch: "BJ")
        let managerSH = try h.user("wang", role: .manager, branch: "SH")
        var records: [Record] = []
        for index in 0..<12 {
            let branch = ["BJ", "SH", "GZ"][index % 3]
            records.append(makeCustomer(branch: branch, code: "C-\(index)", owner: branch == "BJ" && index % 2 == 0 ? "li" : "wu"))
        }
        _ = try h.pushOK(records, token: hq)
        let beijing = try h.pullAll(token: salesBJ, limit: 2).records
        #expect(beijing == records.filter { $0.branch == "BJ" && $0.value(of: "owner") == "li" })
        #expect(!beijing.isEmpty)
        #expect(try h.pullAll(token: managerSH).records == records.filter { $0.branch == "SH" })
        #expect(try h.pullAll(token: hq).records == records)
    }

    // MARK: Ownership (SPEC §8.1)

    @Test func salesSeesItsCustomersThoseSharedWithItAndTheirContacts() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        let li = try h.user("li")
        let wu = try h.user("wu")
        let mine = makeCustomer(code: "C-1", owner: "li")
        let shared = makeCustomer(code: "C-2", owner: "wu", extra: ["sharedWith": ["li"]])
        let theirs = makeCustomer(code: "C-3", owner: "wu")
        let contacts = [mine, shared, theirs].map { customer in
            Record.create(id: .random(), type: .contact, branch: "BJ", fields: ["customer": .string(customer.id.rawValue), "name": "P"],
                          node: nodeA, at: ts(2))
        }
        _ = try h.pushOK([mine, shared, theirs] + contacts, token: manager)
        #expect(Set(try h.pullAll(token: li).records.map(\.id)) == [mine.id, shared.id, contacts[0].id, contacts[1].id])
        #expect(Set(try h.pullAll(token: wu).records.map(\.id)) == [shared.id, theirs.id, contacts[1].id, contacts[2].id])
        // A shared customer may be written by the user it is shared with.
        _ = try h.pushOK([try edited(shared, ["notes": "visited"], node: nodeB, at: 5)], token: li)
    }

    @Test func onlyAssignersChangeTheOwnerAndSalesCustomersAreTheirOwn() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        let admin = try h.user("zhou", role: .branchAdmin, branch: "BJ")
        let li = try h.user("li")
        _ = try h.user("wu")
        _ = try h.user("chen", branch: "SH")
        // A salesperson creates customers it owns, shared with nobody.
        try expectError(h.push([makeCustomer(code: "C-1", owner: "wu")], token: li), 403, "forbidden")
        try expectError(h.push([makeCustomer(code: "C-1", owner: nil)], token: li), 403, "forbidden")
        try expectError(h.push([makeCustomer(code: "C-1", extra: ["sharedWith": ["wu"]])], token: li), 403, "forbidden")
        let customer = makeCustomer(code: "C-1")
        _ = try h.pushOK([customer], token: li)
        // It may not give it away nor share it.
        let body = try expectError(h.push([try edited(customer, ["owner": "wu"], at: 3)], token: li), 403, "forbidden")
        #expect(body.message.contains("Only managers"))
        try expectError(h.push([try edited(customer, ["sharedWith": ["wu"]], at: 3)], token: li), 403, "forbidden")
        // The branch administrator and the branch head may, within the branch.
        let shared = try edited(customer, ["sharedWith": ["wu"]], node: nodeB, at: 4)
        _ = try h.pushOK([shared], token: admin, node: nodeB)
        let nodeC = NodeID(unchecked: "node-c")
        let moved = try edited(shared, ["owner": "wu"], node: nodeC, at: 5)
        _ = try h.pushOK([moved], token: manager, node: nodeC)
        // Moving a customer to another branch's staff goes through headquarters.
        let away = try expectError(h.push([try edited(moved, ["owner": "chen"], node: nodeC, at: 6)], token: manager, node: nodeC), 403, "forbidden")
        #expect(away.message.contains("headquarters"))
        // A branch administrator does not delete.
        var deleted = moved
        try deleted.delete(node: nodeB, at: ts(7))
        try expectError(h.push([deleted], token: admin, node: nodeB), 403, "forbidden")
    }

    /// A push touching a record the caller may not see gets one answer, whatever the record is or
    /// holds: no branch, no field, no hint that a guess was right.
    @Test func refusalsRevealNothingAboutRecordsOutsideTheScope() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let li = try h.user("li")
        let hidden = makeCustomer(code: "C-9", owner: "wu", extra: ["notes": "secret"])
        _ = try h.pushOK([hidden], token: hq)
        let unknownID = RecordID.random()
        let liNode = NodeID.random()  // li's own device (a push under hq's node would be answered node_reused)
        // Right and wrong guesses of the hidden record's content, a relabelled type, and an id that does not exist.
        let rightGuess = Record.create(id: hidden.id, type: .customer, branch: "BJ",
                                       fields: ["code": "C-9", "name": "Acme", "kind": "enterprise", "tier": "core", "owner": "wu", "notes": "secret"],
                                       node: liNode, at: ts(1))
        let wrongGuess = Record.create(id: hidden.id, type: .customer, branch: "BJ",
                                       fields: ["code": "C-9", "name": "Other", "kind": "enterprise", "tier": "core", "owner": "wu"], node: liNode, at: ts(1))
        let relabelled = Record.create(id: hidden.id, type: .contact, branch: "SH",
                                       fields: ["customer": .string(hidden.id.rawValue), "name": "X"], node: liNode, at: ts(2))
        // An id that exists nowhere, as a customer of li's branch and of another branch: a new
        // customer naming another owner is answered exactly like the hidden one (no existence oracle).
        let unknown = Record.create(id: unknownID, type: .customer, branch: "BJ",
                                    fields: ["code": "C-9", "name": "Acme", "kind": "enterprise", "tier": "core", "owner": "wu"], node: liNode, at: ts(1))
        let unknownElsewhere = Record.create(id: RecordID.random(), type: .customer, branch: "SH",
                                             fields: ["code": "C-9", "name": "Acme", "kind": "enterprise", "tier": "core", "owner": "wu"], node: liNode, at: ts(1))
        func answer(_ record: Record) throws -> String {
            let body = try expectError(h.push([record], token: li, node: liNode), 403, "forbidden")
            return body.message.replacingOccurrences(of: record.id.rawValue, with: "ID")
        }
        let answers = try [rightGuess, wrongGuess, relabelled, unknown, unknownElsewhere].map(answer)
        #expect(Set(answers).count == 1, "\(answers)")
        #expect(!answers[0].contains("SH") && !answers[0].contains("BJ") && !answers[0].contains("secret"))
        // A contact naming the hidden customer is answered like one naming no customer at all.
        func contactAnswer(_ customer: RecordID) throws -> String {
            let contact = Record.create(id: .random(), type: .contact, branch: "BJ", fields: ["customer": .string(customer.rawValue), "name": "P"],
                                        node: liNode, at: ts(3))
            let body = try expectError(h.push([contact], token: li, node: liNode), 403, "forbidden")
            return body.message.replacingOccurrences(of: contact.id.rawValue, with: "ID")
        }
        #expect(try contactAnswer(hidden.id) == contactAnswer(.random()))
    }

    // MARK: Scope changes (SPEC §11.2)

    @Test func aReassignmentMakesBothOwnersRescopeAndTheNewOneReceivesOldRecords() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        let li = try h.user("li")
        let wu = try h.user("wu")
        let customer = makeCustomer(code: "C-1", owner: "li")
        let visit = Record.create(id: .random(), type: .visit, branch: "BJ",
                                  fields: ["customer": .string(customer.id.rawValue), "method": "phone"], node: nodeA, at: ts(2))
        _ = try h.pushOK([customer, visit], token: li)
        let liCursor = try h.pullAll(token: li).cursor
        let wuCursor = try h.pullAll(token: wu).cursor
        let managerCursor = try h.pullAll(token: manager).cursor
        // The branch head hands the customer over from its own device.
        _ = try h.pushOK([try edited(customer, ["owner": "wu"], node: nodeB, at: 5)], token: manager, node: nodeB)
        try expectError(h.pull(token: li, cursor: liCursor), 409, "scope_changed")
        try expectError(h.pull(token: wu, cursor: wuCursor), 409, "scope_changed")
        #expect(try h.pullAll(token: manager, cursor: managerCursor).records.count == 1, "the branch head's scope did not change")
        #expect(try h.pullAll(token: li).records.isEmpty)
        let received = try h.pullAll(token: wu)
        #expect(Set(received.records.map(\.id)) == [customer.id, visit.id], "the old visit comes too, whatever the cursor said")
        #expect(try h.pullPage(token: wu, cursor: received.cursor).records.isEmpty)
        let audit = try h.database.auditLog()
        #expect(audit.contains { $0.action == "customer.assign" && $0.actor == "wang" && $0.detail.contains("[li] → [wu]") })
    }

    @Test func serverSideReassignmentIsAWriteOfTheServerAndIsAudited() throws {
        let h = try Harness()
        let li = try h.user("li")
        let wu = try h.user("wu")
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        _ = try h.user("chen", branch: "SH")
        let customers = [makeCustomer(code: "C-1"), makeCustomer(code: "C-2"), makeCustomer(code: "C-3", owner: "wu")]
        _ = try h.pushOK(customers, token: manager)
        #expect(throws: UserAdminError.self) {
            try h.database.reassign(from: "li", to: "chen", branch: "BJ", acrossBranches: false, actor: "wang")
        }
        let summary = try h.database.reassign(from: "li", to: "wu")
        #expect(summary.customers.sorted() == ["C-1", "C-2"])
        #expect(try h.pullAll(token: li).records.isEmpty)
        let wuRecords = try h.pullAll(token: wu).records
        #expect(Set(wuRecords.map(\.id)) == Set(customers.map(\.id)))
        #expect(wuRecords.allSatisfy { $0.value(of: "owner") == "wu" && !$0.hasConflicts })
        #expect(wuRecords.contains { $0.clock[summary.node] == 1 })
        #expect(try h.database.auditLog().filter { $0.action == "customer.assign" && $0.actor == "server" }.count == 2)
        // A device holding the old version merges the server's write like any other.
        let merged = try customers[0].merged(with: wuRecords.first { $0.id == customers[0].id }!)
        #expect(merged.value(of: "owner") == "wu")
    }

    @Test func roleChangesFreezingAndDeactivationTakeEffectAtOnce() throws {
        let h = try Harness()
        let li = try h.user("li")
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        _ = try h.pushOK([makeCustomer(code: "C-1", owner: "wu"), makeCustomer(code: "C-2")], token: manager)
        let cursor = try h.pullAll(token: li).cursor
        try h.database.setUser(name: "li", role: .branchAdmin, branch: nil, actor: "zhao")
        try expectError(h.pull(token: li, cursor: cursor), 409, "scope_changed")
        #expect(try h.pullAll(token: li).records.count == 2, "a branch administrator sees the whole branch")
        try h.database.setFrozen(name: "li", true)
        #expect(try expectError(h.session(token: li), 401, "unauthorized").message.contains("frozen"))
        try h.database.setFrozen(name: "li", false)
        #expect(h.session(token: li).status == 200)
        try h.database.deactivateUser(name: "li")
        #expect(try expectError(h.session(token: li), 401, "unauthorized").message.contains("deactivated"))
        #expect(throws: UserAdminError.deactivated("li")) { try h.database.setFrozen(name: "li", false) }
        let actions = try h.database.auditLog().filter { $0.subject == "li" }.map(\.action)
        #expect(actions == ["user.add", "user.set", "user.freeze", "user.unfreeze", "user.deactivate"])
        #expect(try h.database.auditLog().first { $0.action == "user.set" }?.actor == "zhao")
    }

    @Test func theAuditLogIsReadByHQAndBranchHeadsButNotSales() throws {
        let h = try Harness()
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let li = try h.user("li")
        let headSH = try h.user("wang", role: .manager, branch: "SH")
        try h.database.deactivateUser(name: "li")
        _ = li
        let response = h.send("GET", "/v1/audit", token: hq)
        #expect(response.status == 200, "\(response.text)")
        let entries = try JSONValue.parse(response.body).objectValue?["entries"]?.arrayValue ?? []
        #expect(entries.contains { $0.objectValue?["action"] == "user.deactivate" && $0.objectValue?["subject"] == "li" })
        let shEntries = try JSONValue.parse(h.send("GET", "/v1/audit", token: headSH).body).objectValue?["entries"]?.arrayValue ?? []
        #expect(shEntries.allSatisfy { $0.objectValue?["branch"] == "SH" })
        let wu = try h.user("wu")
        try expectError(h.send("GET", "/v1/audit", token: wu), 403, "forbidden")
    }

    @Test func inactiveUsersAreThoseWhoHaveNotSyncedForTheGivenDays() throws {
        let h = try Harness()
        let li = try h.user("li")
        _ = try h.user("wu")
        #expect(h.session(token: li).status == 200)
        let later = Int64(Date().timeIntervalSince1970 * 1000) + 15 * 86_400_000
        #expect(try h.database.inactiveUsers(days: 14).isEmpty)
        #expect(try h.database.inactiveUsers(days: 14, now: later).map(\.name) == ["li", "wu"])
        #expect(try h.database.users().first { $0.name == "li" }?.lastSyncAt != nil)
        #expect(try h.database.users().first { $0.name == "wu" }?.lastSyncAt == nil)
    }
}

@Suite("Access scope: records moving between customers")
struct ScopeMoveTests {
    /// A contact pushed with another customer (a hand-made or merged change of `customer`) moves
    /// into that customer's scope: both salespeople re-scope and see it where it now belongs.
    @Test func aContactMovedToAnotherCustomerFollowsItsNewCustomer() throws {
        let h = try Harness()
        let manager = try h.user("wang", role: .manager, branch: "BJ")
        let li = try h.user("li")
        let wu = try h.user("wu")
        let acme = makeCustomer(code: "C-1", owner: "li")
        let beta = makeCustomer(code: "C-2", owner: "wu")
        let contact = Record.create(id: .random(), type: .contact, branch: "BJ",
                                    fields: ["customer": .string(acme.id.rawValue), "name": "P"], node: nodeA, at: ts(2))
        _ = try h.pushOK([acme, beta, contact], token: manager)
        let liCursor = try h.pullAll(token: li).cursor
        let wuCursor = try h.pullAll(token: wu).cursor
        _ = try h.pushOK([try edited(contact, ["customer": .string(beta.id.rawValue)], at: 3)], token: manager)
        try expectError(h.pull(token: li, cursor: liCursor), 409, "scope_changed")
        try expectError(h.pull(token: wu, cursor: wuCursor), 409, "scope_changed")
        #expect(try h.pullAll(token: li).records.map(\.id) == [acme.id])
        #expect(Set(try h.pullAll(token: wu).records.map(\.id)) == [beta.id, contact.id])
    }
}

@Suite("Access scope: branch administrators manage their users over the API")
struct UserStateEndpointTests {
    func setState(_ h: Harness, _ name: String, _ state: String, token: String) -> TransportResponse {
        h.send("POST", "/v1/users/\(name)/state", token: token, body: Array(#"{"state":"\#(state)"}"#.utf8))
    }

    @Test func aBranchAdministratorFreezesAndDeactivatesUsersOfItsBranchOnly() throws {
        let h = try Harness()
        let admin = try h.user("zhou", role: .branchAdmin, branch: "BJ")
        let li = try h.user("li")
        _ = try h.user("chen", branch: "SH")
        _ = try h.user("zhao", role: .hq, branch: "BJ")
        let manager = try h.user("wang", role: .manager, branch: "BJ")

        #expect(setState(h, "li", "frozen", token: admin).status == 200)
        try expectError(h.session(token: li), 401, "unauthorized")
        #expect(setState(h, "li", "active", token: admin).status == 200)
        #expect(h.session(token: li).status == 200)
        // Another branch's user, HQ, and a user who does not exist get the same answer.
        let answers = try ["chen", "zhao", "nobody"].map { name in
            try expectError(setState(h, name, "deactivated", token: admin), 403, "forbidden").message
                .replacingOccurrences(of: name, with: "NAME")
        }
        #expect(Set(answers).count == 1)
        try expectError(setState(h, "li", "frozen", token: manager), 403, "forbidden")
        try expectError(setState(h, "li", "gone", token: admin), 400, "invalid_request")

        #expect(setState(h, "li", "deactivated", token: admin).status == 200)
        try expectError(h.session(token: li), 401, "unauthorized")
        try expectError(setState(h, "li", "active", token: admin), 400, "invalid_request")
        #expect(try h.database.auditLog().contains { $0.action == "user.deactivate" && $0.actor == "zhou" && $0.subject == "li" })
    }

    @Test func theUserListShowsTheBranchWithLastSyncsAndInactiveUsers() throws {
        let h = try Harness()
        let admin = try h.user("zhou", role: .branchAdmin, branch: "BJ")
        let li = try h.user("li")
        _ = try h.user("chen", branch: "SH")
        #expect(h.session(token: li).status == 200)
        func names(_ response: TransportResponse) throws -> [String] {
            try #require(response.status == 200, "\(response.text)")
            return try JSONValue.parse(response.body).objectValue?["users"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
        }
        #expect(try names(h.send("GET", "/v1/users", token: admin)) == ["li", "zhou"])
        #expect(try names(h.send("GET", "/v1/users", token: admin, query: [("inactive", "14")])).isEmpty)
        try expectError(h.send("GET", "/v1/users", token: li), 403, "forbidden")
        try expectError(h.send("GET", "/v1/users", token: admin, query: [("inactive", "x")]), 400, "invalid_request")
    }
}
