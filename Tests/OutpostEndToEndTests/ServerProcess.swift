import Foundation
import OutpostChildProcess
import OutpostTestSupport

/// Runs the real `outpost-server` executable (built next to the test bundle) as a child process.
final class ServerProcess: @unchecked Sendable {
    let process = ChildProcess()
    let port: Int

    /// The directory holding the built executables.
    static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // swift-testing runs inside the .xctest bundle on some platforms; step out of it.
        while url.pathExtension == "xctest" || url.lastPathComponent == "MacOS" || url.lastPathComponent == "Contents" {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// Runs `outpost-server` with arguments and returns its exit status and output (for admin commands).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.output(of: productsDirectory.appendingPathComponent("outpost-server").path, arguments,
                                             mergingErrors: true)
        return (result.status, result.text)
    }

    /// Starts `outpost-server serve` on a free port (plus `arguments`) and waits for its "listening" line.
    init(database: String, arguments: [String] = []) throws {
        process.executableURL = Self.productsDirectory.appendingPathComponent("outpost-server")
        process.arguments = ["serve", "--db", database, "--port", "0", "--quiet"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = pipe.fileHandleForReading.readChunkRetryingInterrupts() ?? Data()
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let port = Int(text[range].split(separator: ":").last ?? "")
        else {
            process.terminate()
            throw ServerProcessError.didNotStart(text)
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Kills the process at once (SIGKILL): no chance to flush or finish anything.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks for a graceful stop (SIGTERM) and waits for the exit status.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

enum ServerProcessError: Error {
    case didNotStart(String)
}
