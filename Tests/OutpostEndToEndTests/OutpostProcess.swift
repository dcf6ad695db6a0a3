import Foundation
import OutpostChildProcess
import Testing

extension Device {
    /// Runs the real `outpost` executable (built next to the tests) as a child process on this
    /// device's replica, with `HOME` and this device's environment, and waits for it to exit.
    @discardableResult
    func exec(_ arguments: String...) async throws -> CLIResult {
        try await exec(arguments)
    }

    @discardableResult
    func exec(_ arguments: [String]) async throws -> CLIResult {
        var environment = self.environment
        environment["HOME"] = home
        if environment["LANG"] == nil { environment["LANG"] = "en_US.UTF-8" }
        if environment["TZ"] == nil { environment["TZ"] = "UTC" }
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return try await OutpostProcess.run(["--db", db] + arguments, environment: environment)
    }

    /// Runs the real executable and records a failure when it does not exit with status 0.
    @discardableResult
    func execOK(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIResult {
        let result = try await exec(arguments)
        #expect(result.status == 0, "outpost \(arguments.joined(separator: " ")) failed: \(result.err)", sourceLocation: sourceLocation)
        return result
    }
}

/// The `outpost` executable as a child process.
enum OutpostProcess {
    /// Runs `outpost arguments…` with exactly `environment`; standard output and error are
    /// collected through files so neither pipe can fill up and block the child.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> CLIResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out"), errURL = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = ChildProcess()
        process.executableURL = ServerProcess.productsDirectory.appendingPathComponent("outpost")
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        return CLIResult(status: status,
                         out: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         err: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
