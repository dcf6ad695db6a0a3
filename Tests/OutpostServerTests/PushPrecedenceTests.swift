import Testing
import OutpostModel
@testable import OutpostServer

/// Push answers follow the spec's order (§10): scope, then validation, then identity.
@Suite("Push error precedence")
struct PushPrecedenceTests {
    @Test func invalidRecordIsReportedBeforeAnIdentityMismatchInTheSameBatch() throws {
        let h = try Harness()
        let token = try h.user("zhao", role: .hq, branch: "HQ")
        let stored = makeCustomer(branch: "BJ")
        _ = try h.pushOK([stored], token: token)
        let impostor = makeCustomer(branch: "SH", id: stored.id, node: nodeB)
        let invalid = makeCustomer(code: "C-9", node: nodeB, extra: ["tier": "gold"])
        try expectError(h.push([impostor, invalid], token: token), 422, "invalid_record")
        #expect(try h.pullPage(token: token).records == [stored])
    }

    @Test func contactOfAnUnknownCustomerIsRefused() throws {
        let h = try Harness()
        let token = try h.user("li", role: .manager, branch: "BJ")
        let contact = Record.create(id: .random(), type: .contact, branch: "BJ",
                                    fields: ["customer": .string(RecordID.random().rawValue), "name": "Wang"], node: nodeB, at: ts(5))
        let body = try expectError(h.push([contact], token: token), 422, "invalid_record")
        #expect(body.details.first?.field == "customer")
        #expect(try h.pullPage(token: token).records.isEmpty)
    }

    @Test func contactMustShareItsCustomersBranch() throws {
        let h = try Harness()
        let token = try h.user("zhao", role: .hq, branch: "HQ")
        let customer = makeCustomer(branch: "BJ", node: nodeB)
        let contact = Record.create(id: .random(), type: .contact, branch: "SH",
                                    fields: ["customer": .string(customer.id.rawValue), "name": "Wang"], node: nodeB, at: ts(5))
        try expectError(h.push([customer, contact], token: token), 422, "invalid_record")
        let accepted = Record.create(id: .random(), type: .contact, branch: "BJ",
                                     fields: ["customer": .string(customer.id.rawValue), "name": "Wang"], node: nodeB, at: ts(5))
        _ = try h.pushOK([customer, accepted], token: token)
    }
}
