import Foundation
import OutpostChildProcess
import Testing
import OutpostClient
import OutpostJSON
import OutpostStore

/// Errors the real `outpost` executable prints say what happened and what to do; the technical
/// detail (SQLite code, SQL, the network library's error) only appears with `--verbose`.
@Suite("outpost: errors a field user understands")
struct ErrorMessageTests {
    /// Makes `path` impossible to write, even for root (the tests may run as root, which ignores
    /// file modes: then the file is also made immutable with `chattr +i`). Returns the undo.
    static func makeReadOnly(_ path: String) throws -> () -> Void {
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        guard geteuid() == 0 else {
            return { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
        }
        func chattr(_ flag: String) throws -> Int32 {
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            process.arguments = [flag, path]
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        try #require(try chattr("+i") == 0, "running as root: the replica must be made immutable for this test")
        return { _ = try? chattr("-i") }
    }

    @Test func aReadOnlyReplicaFileIsNamedWithWhatToCheck() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        await alice.ok(acmeArguments)
        #expect(!FileManager.default.fileExists(atPath: alice.db + "-wal"), "the replica was closed cleanly")
        let undo = try Self.makeReadOnly(alice.db)
        defer { undo() }

        let refused = try await alice.exec("customer", "add", "--code", "C-002", "--name", "Beta", "--kind", "tenant", "--tier", "general")
        #expect(refused.status == 1)
        #expect(refused.err.contains("Cannot write to the local database file \(alice.db)"), "\(refused.err)")
        #expect(refused.err.contains("permissions"), "\(refused.err)")
        #expect(!refused.err.contains("SQLite"), "\(refused.err)")
        #expect(!refused.err.contains("INSERT"), "\(refused.err)")

        let verbose = try await alice.exec("--verbose", "customer", "add", "--code", "C-002", "--name", "Beta", "--kind", "tenant",
                                           "--tier", "general")
        #expect(verbose.status == 1)
        #expect(verbose.err.contains("Cannot write to the local database file"), "\(verbose.err)")
        #expect(verbose.err.contains("SQLite error 8"), "\(verbose.err)")
    }

    @Test func aReplicaLockedByAnotherCommandSaysToWait() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        // Another program holds the replica's write lock (as a long `outpost sync` would).
        let holder = try DatabaseQueue(path: alice.db)
        try holder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        defer { try? holder.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") } }

        let result = try await alice.exec("customer", "add", "--code", "C-002", "--name", "Beta", "--kind", "tenant", "--tier", "general")
        #expect(result.status == 1)
        #expect(result.err.contains("Another outpost command is using this replica (\(alice.db)). Wait for it to finish"), "\(result.err)")
        #expect(!result.err.contains("SQLite"), "\(result.err)")
    }

    @Test func anUnreachableServerSaysNothingWasLostAndVerboseShowsTheCause() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        let url = server.url
        server.stop()
        await alice.ok(acmeArguments)

        let result = try await alice.exec("sync")
        #expect(result.status == 1)
        #expect(result.err.contains("Could not connect to the server at \(url)"), "\(result.err)")
        #expect(result.err.contains("1 local edit is kept"), "\(result.err)")
        #expect(result.err.contains("outpost sync"), "\(result.err)")
        #expect(!result.err.contains("NSURLErrorDomain"), "\(result.err)")
        #expect(!result.err.contains("operation could not be completed"), "\(result.err)")

        let verbose = try await alice.exec("sync", "--verbose")
        #expect(verbose.status == 1)
        #expect(verbose.err.contains("Could not connect to the server at \(url)"), "\(verbose.err)")
        #expect(verbose.err.contains("Detail:"), "\(verbose.err)")
        let detail = verbose.err.split(separator: "\n").first { $0.contains("Detail:") }
        #expect(detail?.contains(url) == true, "the network library's own words: \(verbose.err)")
        #expect(try await alice.execOK("status", "--json").json().objectValue?["pendingChanges"] == 1)
    }

    @Test func aServerThatNeverAnswersTimesOutWithTheWaitInTheMessage() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let server = try LoopbackServer()
        var alice = try await server.signedIn("alice")
        try await alice.execOK("customer", "add", "--code", "C-009", "--name", "Nine", "--kind", "tenant", "--tier", "general")
        do {
            // The server moved to an address where something accepts connections but never answers.
            let replica = try Replica(path: alice.db)
            var settings = try #require(try replica.settings())
            settings.serverURL = silent.url
            try replica.configure(settings)
        }
        alice.environment["OUTPOST_TIMEOUT"] = "1"
        let result = try await alice.exec("sync")
        #expect(result.status == 1)
        #expect(result.err.contains("The server did not answer within 1 s. Check the network connection and try `outpost sync` again"),
                "\(result.err)")
        #expect(result.err.contains("nothing was lost"), "\(result.err)")
        #expect(result.err.contains("1 local edit is kept"), "\(result.err)")
        #expect(!result.err.contains("-1001"), "\(result.err)")
    }

    @Test func aRevokedTokenSaysToAskForANewOneAndRunInit() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        try server.support.database.revokeUser(name: "alice")
        let result = try await alice.exec("sync")
        #expect(result.status == 1)
        #expect(result.err.contains("access token"), "\(result.err)")
        #expect(result.err.contains("outpost init"), "\(result.err)")
    }
}

/// A loopback TCP socket that accepts connections (in the kernel's backlog) and never answers.
final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, size) } }
        try #require(bound == 0 && listen(descriptor, 8) == 0)
        var actual = sockaddr_in()
        var length = size
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func close() { _ = Foundation.close(descriptor) }
}
