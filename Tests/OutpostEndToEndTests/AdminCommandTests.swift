import Foundation
import Testing
import OutpostServer

/// `outpost-server user add|list|revoke|rotate`, run as the real executable against a database file.
@Suite("outpost-server user administration")
struct AdminCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var database: String { directory.appendingPathComponent("server.db").path }

    /// The token printed on the last line of `user add` / `user rotate`.
    func token(_ output: String) -> String {
        String(output.split(separator: "\n").last ?? "")
    }

    @Test func usersAreAddedListedRotatedAndRevokedWithTokensThatFollow() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = try ServerProcess.run(["user", "list", "--db", database])
        #expect(empty.status == 0)
        #expect(empty.output.contains("No users yet"))

        let added = try ServerProcess.run(["user", "add", "li", "--role", "sales", "--branch", "BJ", "--db", database])
        #expect(added.status == 0)
        #expect(added.output.contains("shown once"))
        let first = token(added.output)

        let listed = try ServerProcess.run(["user", "list", "--db", database]).output.split(separator: "\n").map(String.init)
        #expect(listed.first?.hasPrefix("NAME") == true)
        #expect(listed.contains { $0.hasPrefix("li ") && $0.contains("sales") && $0.contains("BJ") && $0.contains("active") })
        #expect(!listed.joined().contains(first), "the token is shown once, never listed")

        let again = try ServerProcess.run(["user", "add", "li", "--role", "sales", "--branch", "BJ", "--db", database])
        #expect(again.status == 1)
        #expect(again.output.contains("exists already"))
        let badRole = try ServerProcess.run(["user", "add", "zhao", "--role", "boss", "--branch", "BJ", "--db", database])
        #expect(badRole.status == 64)
        #expect(badRole.output.contains("is not a role"))

        let rotated = try ServerProcess.run(["user", "rotate", "li", "--db", database])
        #expect(rotated.status == 0)
        let second = token(rotated.output)
        #expect(second != first)
        let server = try ServerDatabase(path: database)
        #expect(try server.authenticate(token: first) == nil, "the old token stops working")
        #expect(try server.authenticate(token: second)?.name == "li")

        let revoked = try ServerProcess.run(["user", "revoke", "li", "--db", database])
        #expect(revoked.status == 0)
        #expect(try server.authenticate(token: second) == nil, "revoking takes effect at once")
        // Revoking is deactivating: the account is listed as deactivated and only `reactivate` brings it back.
        #expect(try ServerProcess.run(["user", "list", "--db", database]).output.contains("deactivated"))
        let unknown = try ServerProcess.run(["user", "revoke", "nobody", "--db", database])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("nobody"))
    }

    @Test func rolesAndAccountStatesChangeAtOnceAndAreAudited() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let added = try ServerProcess.run(["user", "add", "li", "--role", "sales", "--branch", "BJ", "--db", database])
        let token = token(added.output)
        let server = try ServerDatabase(path: database)

        let set = try ServerProcess.run(["user", "set", "li", "--role", "branch-admin", "--db", database])
        #expect(set.status == 0, "\(set.output)")
        #expect(set.output.contains("branch-admin in branch BJ"))
        #expect(try server.authenticate(token: token)?.role == .branchAdmin)
        let nothing = try ServerProcess.run(["user", "set", "li", "--db", database])
        #expect(nothing.status == 64)
        let moved = try ServerProcess.run(["user", "set", "li", "--branch", "SH", "--db", database])
        #expect(moved.status == 0)
        #expect(try server.authenticate(token: token)?.branch == "SH")

        #expect(try ServerProcess.run(["user", "freeze", "li", "--db", database]).status == 0)
        #expect(try server.authenticate(token: token) == nil, "frozen at once")
        #expect(try ServerProcess.run(["user", "list", "--db", database]).output.contains("frozen"))
        let again = try ServerProcess.run(["user", "freeze", "li", "--db", database])
        #expect(again.status == 1 && again.output.contains("not active"), "\(again.output)")
        #expect(try ServerProcess.run(["user", "unfreeze", "li", "--db", database]).status == 0)
        #expect(try server.authenticate(token: token)?.name == "li", "the same token works again")

        #expect(try ServerProcess.run(["user", "deactivate", "li", "--db", database]).status == 0)
        #expect(try server.authenticate(token: token) == nil)
        let rotate = try ServerProcess.run(["user", "rotate", "li", "--db", database])
        #expect(rotate.status == 1)
        #expect(rotate.output.contains("user reactivate li"))
        let reactivated = try ServerProcess.run(["user", "reactivate", "li", "--db", database])
        #expect(reactivated.status == 0)
        #expect(try server.authenticate(token: token) == nil, "the old token stays dead")
        #expect(try server.authenticate(token: self.token(reactivated.output))?.name == "li")

        // Never synced and created now: not yet inactive for 14 days.
        let inactive = try ServerProcess.run(["user", "list", "--inactive", "14", "--db", database])
        #expect(inactive.status == 0)
        #expect(inactive.output.contains("Every active user has synced within 14 days"))
        #expect(try ServerProcess.run(["user", "list", "--inactive", "0", "--db", database]).status == 64)
        let listed = try ServerProcess.run(["user", "list", "--db", database]).output
        #expect(listed.contains("LAST SYNC") && listed.contains("never"), "\(listed)")

        let audit = try ServerProcess.run(["audit", "--db", database]).output.split(separator: "\n").map(String.init)
        let actions = audit.compactMap { line in ["user.add", "user.set", "user.freeze", "user.unfreeze", "user.deactivate", "user.reactivate"].first { line.contains("  \($0)  li") } }
        #expect(actions == ["user.add", "user.set", "user.set", "user.freeze", "user.unfreeze", "user.deactivate", "user.reactivate"], "\(audit)")
        #expect(audit.contains { $0.contains("role sales → branch-admin") })
    }
}
