import Foundation
import Testing
@testable import OutpostClient
import OutpostJSON
import OutpostModel

/// `outpost conflicts` names who wrote each value and when, and lists each value once.
@Suite("outpost conflicts: who wrote what")
struct ConflictAuthorTests {
    /// What the pull path does with a page's `authors` member: remember the user behind each node.
    static func learn(_ authors: [String: String], on device: Device) throws {
        let replica = try Replica(path: device.db)
        try replica.queue.write { db in try Replica.rememberAuthors(authors, db: db) }
    }

    static func node(of device: Device) async throws -> String {
        try #require(try await device.ok("status", "--json").json().objectValue?["node"]?.stringValue)
    }

    /// The numbered lines of `conflicts` output (the values to choose from).
    static func choiceLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.range(of: #"^\s+\d+\) "#, options: .regularExpression) != nil }
    }

    /// The numbered line of `conflicts` output showing `value`.
    static func line(showing value: String, in text: String) -> String? {
        choiceLines(text).first { $0.contains("“\(value)”") }
    }

    @Test func eachValueNamesItsWriterAndTime() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        let bob = try await server.signedIn("bob")
        await alice.ok(acmeArguments)
        await alice.ok("sync")
        await bob.ok("sync")
        await alice.ok("customer", "edit", "C-001", "--name", "Acme Ltd")
        await bob.ok("customer", "edit", "C-001", "--name", "ACME Group")
        await alice.ok("sync")
        await bob.ok("sync")
        let aliceNode = try await Self.node(of: alice)

        // The sync asked the server who writes under each node (GET /v1/authors).
        let named = try await bob.execOK("conflicts").out
        let aliceLine = try #require(Self.line(showing: "Acme Ltd", in: named), "\(named)")
        let aliceValue = try #require(try await bob.execOK("conflicts", "--json").json().arrayValue?.first?
            .objectValue?["conflicts"]?.arrayValue?.first?.objectValue?["values"]?.arrayValue?
            .first { $0.objectValue?["value"] == "Acme Ltd" }?.objectValue)
        let utc = try #require(aliceValue["at"]?.stringValue)
        // JSON gives UTC (RFC 3339); text shows the same minute in the user's zone (UTC in these tests).
        let at = utc.prefix(10) + " " + utc.dropFirst(11).prefix(5)
        #expect(aliceLine.contains("— alice, \(at)"), "\(named)")
        #expect(aliceValue["user"] == "alice")
        #expect(Self.line(showing: "ACME Group", in: named)?.contains("— bob (this device), 20") == true, "\(named)")
        #expect(!named.contains("device \(aliceNode.prefix(8))"), "\(named)")
        // The card of the customer shows the same names.
        #expect(try await bob.execOK("customer", "show", "C-001").out.contains("— alice, \(at)"))

        // A node the server has not named (forgotten here) shows as another device.
        try Replica(path: bob.db).queue.write { db in try db.execute(sql: "DELETE FROM authors") }
        let anonymous = try await bob.execOK("conflicts").out
        #expect(Self.line(showing: "Acme Ltd", in: anonymous)?.contains("— another device (\(aliceNode.prefix(4))…), 20") == true, "\(anonymous)")
        #expect(Self.line(showing: "ACME Group", in: anonymous)?.contains("— bob (this device), 20") == true, "\(anonymous)")
    }

    @Test func theSameValueWrittenOnTwoDevicesIsListedOnceAndPickedByItsNumber() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        let bob = try await server.signedIn("bob")
        let carol = try await server.signedIn("carol")
        await alice.ok(acmeArguments)
        await alice.ok("sync")
        await bob.ok("sync")
        await carol.ok("sync")
        await alice.ok("customer", "edit", "C-001", "--name", "Same")
        await bob.ok("customer", "edit", "C-001", "--name", "Same")
        await carol.ok("customer", "edit", "C-001", "--name", "Other")
        for device in [alice, bob, carol, alice, bob] { await device.ok("sync") }
        try Self.learn([try await Self.node(of: alice): "alice", try await Self.node(of: bob): "bob"], on: carol)

        let text = try await carol.execOK("conflicts").out
        let choices = Self.choiceLines(text)
        #expect(choices.filter { $0.contains("“Same”") }.count == 1, "listed once: \(text)")
        #expect(choices.filter { $0.contains("“Other”") }.count == 1, "\(text)")
        #expect(choices.count == 2, "\(text)")
        #expect(text.contains("2 different values"), "\(text)")
        #expect(!text.contains("3)"), "\(text)")
        let same = try #require(Self.line(showing: "Same", in: text))
        #expect(same.contains("alice") || same.contains("bob"), "\(text)")
        let values = try #require(try await carol.execOK("conflicts", "--json").json().arrayValue?.first?
            .objectValue?["conflicts"]?.arrayValue?.first?.objectValue?["values"]?.arrayValue)
        #expect(values.count == 2)

        let number = try #require(same.trimmingCharacters(in: .whitespaces).split(separator: ")").first.flatMap { Int($0) })
        try await carol.execOK("resolve", "C-001", "--field", "name", "--pick", String(number))
        #expect(try await carol.execOK("customer", "show", "C-001", "--json").json().objectValue?["name"] == "Same")
        let beyond = try await carol.exec("resolve", "C-001", "--field", "name", "--pick", "3")
        #expect(beyond.status != 0)
    }
}
