import Foundation
import Testing
import OutpostJSON

/// Two devices offline can both create customer C-001: after a sync one replica holds two live
/// customers with that code. Naming one by code must never silently pick one of them.
@Suite("outpost: customer codes shared by two customers")
struct SharedCodeTests {
    /// Alice and Bob each add a C-001 offline and sync; Bob ends up holding both.
    static func twoCustomersSharingC001(_ server: LoopbackServer) async throws -> (bob: Device, alice: String, bobs: String) {
        let alice = try await server.signedIn("alice")
        let bob = try await server.signedIn("bob")
        let aliceCustomer = try await alice.ok(["customer", "add", "--code", "C-001", "--name", "Acme Trading", "--kind", "enterprise",
                                                "--tier", "core", "--owner", "alice", "--json"]).json()
        let bobCustomer = try await bob.ok(["customer", "add", "--code", "C-001", "--name", "Acme Steel", "--kind", "tenant",
                                            "--tier", "general", "--owner", "bob", "--json"]).json()
        await alice.ok("sync")
        await bob.ok("sync")
        let aliceID = try #require(aliceCustomer.objectValue?["id"]?.stringValue)
        let bobID = try #require(bobCustomer.objectValue?["id"]?.stringValue)
        return (bob, aliceID, bobID)
    }

    @Test func editByASharedCodeIsRefusedListingTheCandidates() async throws {
        let server = try LoopbackServer()
        let (bob, aliceID, bobID) = try await Self.twoCustomersSharingC001(server)
        let refused = try await bob.exec("customer", "edit", "C-001", "--notes", "Call back")
        #expect(refused.status == 1)
        #expect(refused.err.contains("2 customers use the code C-001"), "\(refused.err)")
        for (id, name, owner) in [(aliceID, "Acme Trading", "alice"), (bobID, "Acme Steel", "bob")] {
            let line = refused.err.split(separator: "\n").first { $0.contains(id.prefix(8)) }
            #expect(line?.contains(name) == true, "\(refused.err)")
            #expect(line?.contains("BJ") == true, "\(refused.err)")
            #expect(line?.contains(owner) == true, "\(refused.err)")
        }
        #expect(refused.err.contains("by its id"), "\(refused.err)")
        let shown = try await bob.execOK("customer", "list", "--json").json()
        #expect(shown.arrayValue?.allSatisfy { $0.objectValue?["notes"] == .null } == true, "nothing was edited")

        // `conflicts` lists them the same way.
        let conflicts = try await bob.execOK("conflicts").out
        #expect(conflicts.contains("Customer code C-001 is used by 2 customers"), "\(conflicts)")
        #expect(conflicts.split(separator: "\n").contains { $0.contains(aliceID.prefix(8)) && $0.contains("Acme Trading") && $0.contains("alice") },
                "\(conflicts)")

        // The id prefix names one of them unambiguously.
        try await bob.execOK("customer", "edit", String(bobID.prefix(8)), "--notes", "Call back")
        let edited = try await bob.execOK("customer", "show", bobID, "--json").json()
        #expect(edited.objectValue?["notes"] == "Call back")
    }

    @Test(arguments: [
        ["customer", "show", "C-001"], ["customer", "delete", "C-001"], ["resolve", "C-001", "--field", "name", "--pick", "1"],
        ["contact", "add", "--customer", "C-001", "--name", "Li Wei"], ["visit", "list", "--customer", "C-001"],
    ])
    func everyCommandNamingACustomerBySharedCodeRefuses(arguments: [String]) async throws {
        let server = try LoopbackServer()
        let (bob, aliceID, bobID) = try await Self.twoCustomersSharingC001(server)
        let refused = try await bob.exec(arguments)
        #expect(refused.status == 1, "\(refused.out)")
        #expect(refused.err.contains(String(aliceID.prefix(8))) && refused.err.contains(String(bobID.prefix(8))), "\(refused.err)")
        #expect(try await bob.execOK("status", "--json").json().objectValue?["pendingChanges"] == 0, "nothing was changed")
    }

    @Test func aCodeFreedByADeleteStillNamesTheLiveCustomer() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        let old = try await device.ok(["customer", "add", "--code", "C-001", "--name", "Old", "--kind", "enterprise", "--tier", "core", "--json"]).json()
        await device.ok("customer", "delete", "C-001")
        await device.ok("customer", "add", "--code", "C-001", "--name", "New", "--kind", "enterprise", "--tier", "core")
        try await device.execOK("customer", "edit", "C-001", "--notes", "Live one")
        let shown = try await device.execOK("customer", "show", "C-001", "--json").json()
        #expect(shown.objectValue?["name"] == "New")
        #expect(shown.objectValue?["notes"] == "Live one")
        // Restoring by code means the deleted one.
        let restored = try await device.exec("customer", "restore", "C-001")
        #expect(restored.status == 1, "restoring would make the code shared: \(restored.out)")
        #expect(restored.err.contains("already used"), "\(restored.err)")
        #expect(old.objectValue?["id"] != shown.objectValue?["id"])
    }
}
