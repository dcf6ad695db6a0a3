import Foundation
import OutpostChildProcess
import OutpostCLI
import OutpostJSON
import OutpostTestSupport
import Testing

// `outpost init` takes the token from a file or standard input, so it stays out of `ps` and the
// shell history.

@Suite("outpost init reads the token from a file or standard input")
struct InitTokenTests {
    @Test func tokenFileIsReadAndTrimmed() async throws {
        let server = try LoopbackServer()
        let token = try server.support.addUser("alice", role: .manager, branch: "BJ")
        let file = server.support.path("alice.token")
        try Data("  \(token)\n".utf8).write(to: URL(fileURLWithPath: file))
        let device = server.device("alice")
        await device.ok("init", "--server", server.url, "--token-file", file)
        #expect(try await device.ok("status", "--json").json().objectValue?["user"] == "alice")
    }

    @Test func tokenDashReadsStandardInput() async throws {
        let server = try LoopbackServer()
        let token = try server.support.addUser("alice", role: .manager, branch: "BJ")
        let file = server.support.path("stdin.token")
        try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: file))
        let device = server.device("alice")
        let process = ChildProcess()
        process.executableURL = ServerProcess.productsDirectory.appendingPathComponent("outpost")
        process.arguments = ["--db", device.db, "init", "--server", server.url, "--token", "-"]
        process.environment = ["HOME": device.home, "LANG": "en_US.UTF-8", "TZ": "UTC"]
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        #expect(status == 0)
        #expect(try await device.ok("status", "--json").json().objectValue?["user"] == "alice")
    }

    @Test func aMissingDoubleEmptyOrUnreadableTokenIsRefusedAndNothingStored() async throws {
        let server = try LoopbackServer()
        let token = try server.support.addUser("alice", role: .manager, branch: "BJ")
        let device = server.device("alice")
        let missing = await device.run("init", "--server", server.url)
        #expect(missing.status == OutpostCommand.usageError)
        #expect(missing.err.contains("--token-file"))
        let file = server.support.path("alice.token")
        try Data(token.utf8).write(to: URL(fileURLWithPath: file))
        let twice = await device.run("init", "--server", server.url, "--token", token, "--token-file", file)
        #expect(twice.status == OutpostCommand.usageError)
        let empty = server.support.path("empty.token")
        try Data("\n".utf8).write(to: URL(fileURLWithPath: empty))
        let blank = await device.run("init", "--server", server.url, "--token-file", empty)
        #expect(blank.status == OutpostCommand.failure)
        #expect(blank.err.contains("empty"))
        let unreadable = await device.run("init", "--server", server.url, "--token-file", server.support.path("no-such-file"))
        #expect(unreadable.status == OutpostCommand.failure)
        #expect(unreadable.err.contains("no-such-file"))
        if FileManager.default.fileExists(atPath: device.db) {
            let user = try await device.ok("status", "--json").json().objectValue?["user"]
            #expect(user == nil || user == .null, "nothing stored")
        }
    }
}
