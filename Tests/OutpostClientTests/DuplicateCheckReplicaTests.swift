import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

@Suite("Duplicate check on a replica")
struct DuplicateCheckReplicaTests {
    @Test func aNewCustomerIsCheckedOfflineAgainstNamesCreditCodesAndContactPhones() throws {
        let replica = try Replica(path: ":memory:")
        let hualian = try replica.create(.customer, fields: Fixture.customer("C-1", name: "北京华联股份有限公司"), branch: "BJ")
        let acme = try replica.create(.customer, fields: Fixture.customer("C-2", name: "Acme"), branch: "BJ")
        _ = try replica.create(.contact, fields: Fixture.contact(of: acme.id).merging(["phones": ["138 0013 8000"]]) { $1 }, branch: "BJ")
        let deleted = try replica.create(.customer, fields: Fixture.customer("C-3", name: "Gone Ltd"), branch: "BJ")
        _ = try replica.delete(deleted.id)

        #expect(try replica.possibleDuplicates(ofCustomer: ["name": "北京华联"]).map(\.existing) == [hualian.id])
        #expect(try replica.possibleDuplicates(ofCustomer: ["name": "New"], contactPhones: ["+86 13800138000"])
            == [DuplicateMatch(existing: acme.id, reasons: [.samePhone("13800138000")])])
        #expect(try replica.possibleDuplicates(ofCustomer: ["name": "Gone"]).isEmpty, "deleted customers are not duplicates")
        #expect(try replica.possibleDuplicates(ofCustomer: ["name": "Acme"], excluding: acme.id).isEmpty)
    }

    @Test func duplicateGroupsListEveryLinkedCustomer() throws {
        let replica = try Replica(path: ":memory:")
        let a = try replica.create(.customer, fields: Fixture.customer("C-1", name: "ＡＣＭＥ Trading"), branch: "BJ")
        let b = try replica.create(.customer, fields: Fixture.customer("C-2", name: "acme trading co., ltd."), branch: "BJ")
        _ = try replica.create(.customer, fields: Fixture.customer("C-3", name: "Other"), branch: "BJ")
        #expect(try replica.duplicateCustomerGroups() == [[a.id, b.id].sorted()])
    }
}
