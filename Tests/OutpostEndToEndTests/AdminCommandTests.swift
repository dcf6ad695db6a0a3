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
        #expect(try ServerProcess.run(["user", "list", "--db", database]).output.contains("revoked"))
        let unknown = try ServerProcess.run(["user", "revoke", "nobody", "--db", database])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("nobody"))
    }
}
