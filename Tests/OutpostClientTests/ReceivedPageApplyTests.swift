import Foundation
import OutpostJSON
import OutpostModel
import OutpostTestSupport
import Testing
@testable import OutpostClient

/// Applying a page as received (`ReceivedPullPage`: new records stored from their bytes and
/// summaries, existing ones decoded and merged) leaves exactly the state applying the decoded
/// `PullPage` leaves, index columns included.
@Suite("Applying received pull pages")
struct ReceivedPageApplyTests {
    static let rowsSQL = """
        SELECT id || '|' || type || '|' || branch || '|' || deleted || '|' || conflicted || '|' || ifnull(code, '~') || '|' ||
               ifnull(customer, '~') || '|' || label || '|' || modified FROM records ORDER BY id
        """

    @Test func receivedPagesApplyLikeDecodedPages() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let nodes = (0..<3).map { _ in NodeID.random() }
        let customer = Record.create(id: .random(), type: .customer, branch: "BJ", fields: Fixture.customer("C-1"),
                                     node: nodes[0], at: HybridTimestamp(millis: 10))
        let contact = Record.create(id: .random(), type: .contact, branch: "BJ", fields: Fixture.contact(of: customer.id),
                                    node: nodes[0], at: HybridTimestamp(millis: 11))
        let visit = Record.create(id: .random(), type: .visit, branch: "BJ",
                                  fields: ["customer": .string(customer.id.rawValue), "plannedAt": "2024-05-01T09:00:00Z", "actualAt": nil],
                                  node: nodes[1], at: HybridTimestamp(millis: 12))
        let complaint = Record.create(id: .random(), type: .complaint, branch: "BJ",
                                      fields: ["customer": .string(customer.id.rawValue), "receivedAt": "2024-05-02T09:00:00Z"],
                                      node: nodes[2], at: HybridTimestamp(millis: 13))  // hlc millis are 0…253402300799999 (SPEC §2.5)
        var versions: [Record] = [customer, contact, visit, complaint]
        for (n, node) in nodes.enumerated() {
            var edited = customer
            try edited.write(["name": .string("name by \(n)"), "code": .string("C-\(n)")], node: node, at: HybridTimestamp(millis: 20 + Int64(n)))
            if n == 2 { try edited.delete(node: node, at: HybridTimestamp(millis: 30)) }
            versions.append(edited)
        }
        var restored = visit
        try restored.delete(node: nodes[1], at: HybridTimestamp(millis: 50))
        try restored.restore(node: nodes[2], at: HybridTimestamp(millis: 51))
        versions.append(restored)

        var rng = SeededGenerator(seed: 5)
        for trial in 0..<8 {
            let decodedPath = server.path("decoded-\(trial).db")
            let receivedPath = server.path("received-\(trial).db")
            let decoded = try Replica(path: decodedPath)
            let received = try Replica(path: receivedPath)
            var sequence = versions.shuffled(using: &rng)
            sequence += sequence.prefix(Int.random(in: 0...versions.count, using: &rng))
            var index = 0
            while index < sequence.count {
                let size = Int.random(in: 1...4, using: &rng)
                let page = PullPage(records: Array(sequence[index..<min(index + size, sequence.count)]), cursor: "c\(index)", hasMore: true)
                let bytes = page.jsonValue.serializedBytes()
                try decoded.apply(try PullPage.decode(bytes: bytes))
                try received.apply(try ReceivedPullPage.decode(bytes: bytes))
                index += size
            }
            #expect(try allRecords(received) == allRecords(decoded), "trial \(trial)")
            #expect(try Peek.strings(receivedPath, Self.rowsSQL) == Peek.strings(decodedPath, Self.rowsSQL), "trial \(trial)")
            #expect(try received.cursor() == decoded.cursor())
            #expect(try received.conflictCount() == decoded.conflictCount())
        }
    }
}
