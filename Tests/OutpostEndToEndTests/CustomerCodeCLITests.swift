import Foundation
import Testing
import OutpostCLI
import OutpostJSON
import OutpostModel
import OutpostServer

@Suite("customer add issues codes")
struct CustomerCodeCLITests {
    @Test func customerAddWithoutCodeIssuesTheNextLeasedCode() async throws {
        let server = try LoopbackServer()
        var policy = PolicyDocument.default
        policy.codes.blockSize = 5
        try server.support.database.setPolicy(policy)
        var device = try await server.signedIn("li", role: .manager, branch: "SH")
        device.environment["OUTPOST_NOW"] = "2026-11-20T02:00:00Z"
        await device.ok("sync")

        let added = await device.ok("customer", "add", "--name", "Acme", "--kind", "enterprise", "--tier", "core")
        #expect(added.out.hasPrefix("Added customer SH-2026-00001 “Acme” (id "))
        let json = try await device.ok("customer", "add", "--name", "Bolt", "--kind", "enterprise", "--tier", "core", "--json").json()
        #expect(json.objectValue?["code"] == "SH-2026-00002")
        #expect(try await device.ok("code", "status").out == "Scheme {branch}-{yyyy}-{seq:05}; 3 codes left on this device.\n")

        // A typed code works as before and uses no number of the block; a known one is refused locally.
        await device.ok("customer", "add", "--code", "C-7", "--name", "Typed", "--kind", "enterprise", "--tier", "core")
        let clash = await device.run("customer", "add", "--code", "SH-2026-00001", "--name", "Other", "--kind", "enterprise", "--tier", "core")
        #expect(clash.status == OutpostCommand.failure)
        #expect(clash.err.contains("SH-2026-00001"))
        #expect(try await device.ok("code", "status").out == "Scheme {branch}-{yyyy}-{seq:05}; 3 codes left on this device.\n")

        await device.ok("sync")
        let onServer = try server.support.database.records(.customer, scope: AccessScope(role: .hq, branch: "HQ")).compactMap { $0.value(of: "code")?.stringValue }.sorted()
        #expect(onServer == ["C-7", "SH-2026-00001", "SH-2026-00002"])
    }

    @Test func aDeviceThatNeverSyncedSaysToSyncOrTypeACode() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("wang", role: .sales, branch: "SH")
        let result = await device.run("customer", "add", "--name", "Acme", "--kind", "enterprise", "--tier", "core")
        #expect(result.status == OutpostCommand.failure)
        #expect(result.err == "Error: This device has no customer codes for branch SH yet: it has never received a block from the server. Run `outpost sync` once while online, or give a code with --code.\n")
        let chinese = await device.run("customer", "add", "--name", "Acme", "--kind", "enterprise", "--tier", "core", "--lang", "zh")
        #expect(chinese.err.contains("请联网运行一次 `outpost sync`"))
        #expect(try await device.ok("customer", "list", "--json").json() == .array([]))
        await device.ok("customer", "add", "--code", "C-1", "--name", "Acme", "--kind", "enterprise", "--tier", "core")
    }
}
