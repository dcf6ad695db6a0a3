import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

@Suite("Observing typed queries")
struct QueryObservationTests {
    @Test func aQueryObservationYieldsWhenItsPageChangesAndStaysQuietOtherwise() async throws {
        let replica = try Replica(path: ":memory:")
        var pages = replica.observe(Customer.query.tier(.core).sorted(by: .name)).makeAsyncIterator()
        var counts = replica.observeCount(Customer.query.tier(.core)).makeAsyncIterator()
        #expect(try await pages.next()?.map(\.code) == [])
        #expect(try await counts.next() == 0)

        // A matching customer changes the page and the count.
        let acme = try replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme", tier: "core"))
        #expect(try await pages.next()?.map(\.code) == ["C-1"])
        #expect(try await counts.next() == 1)

        // A customer of another tier and a contact change neither answer: the next value the
        // observations yield is the one after the following matching change.
        try replica.create(.customer, fields: Fixture.customer("C-2", name: "Beta", tier: "general"))
        try replica.create(.contact, fields: Fixture.contact(of: acme.id))
        try replica.create(.customer, fields: Fixture.customer("C-3", name: "Cobalt", tier: "core"))
        #expect(try await pages.next()?.map(\.code) == ["C-1", "C-3"])
        #expect(try await counts.next() == 2)

        // Leaving the tier leaves the page.
        try replica.update(acme.id, fields: ["tier": "general"])
        #expect(try await pages.next()?.map(\.code) == ["C-3"])
        #expect(try await counts.next() == 1)
    }
}
