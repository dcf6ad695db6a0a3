import Foundation
import Testing
import OutpostJSON
import OutpostModel

/// `outpost user list|freeze|unfreeze|deactivate`: a branch administrator manages the branch's
/// accounts from its own device, through the API (SPEC §9.7).
@Suite("outpost user: branch administrators manage their branch")
struct BranchAdminCLITests {
    @Test func aBranchAdministratorFreezesAndDeactivatesAColleagueAndSeesWhoIsInactive() async throws {
        let server = try LoopbackServer()
        let admin = try await server.signedIn("zhou", role: .branchAdmin)
        let li = try await server.signedIn("li", role: .sales)
        _ = try server.support.addUser("chen", role: .sales, branch: "SH")
        await li.ok("sync")

        let listed = await admin.ok("user", "list")
        #expect(listed.out.contains("li") && listed.out.contains("zhou") && !listed.out.contains("chen"), "\(listed.out)")
        #expect(await admin.ok("user", "list", "--inactive", "14").out.contains("Everyone has synced within 14 days"))

        await admin.ok("user", "freeze", "li")
        let frozen = await li.run("sync")
        #expect(frozen.status == 1)
        await admin.ok("user", "unfreeze", "li")
        await li.ok("sync")
        await admin.ok("user", "deactivate", "li")
        #expect(await li.run("sync").status == 1)
        #expect(try await admin.ok("user", "list", "--json").json().objectValue?["users"]?.arrayValue?
            .first { $0.objectValue?["name"] == "li" }?.objectValue?["state"] == "deactivated")

        let elsewhere = await admin.run("user", "deactivate", "chen")
        #expect(elsewhere.status == 1)
        #expect(elsewhere.err.contains("your account may not do this"), "\(elsewhere.err)")
        let why = await admin.run("user", "deactivate", "chen", "--verbose")
        #expect(why.err.contains("may not manage"), "the server's reason is the --verbose detail: \(why.err)")
        let salesTries = await li.run("user", "list")
        #expect(salesTries.status == 1)
        #expect(try server.support.database.auditLog().contains { $0.actor == "zhou" && $0.action == "user.deactivate" && $0.subject == "li" })
    }
}
