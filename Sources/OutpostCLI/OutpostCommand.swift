import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel

/// The `outpost` command line, runnable in-process: arguments and environment in, text and an
/// exit status out.
///
/// ```swift
/// let out = TextBuffer(), err = TextBuffer()
/// let status = await OutpostCommand.run(["customer", "list", "--db", path], environment: [:],
///                                       standardOutput: out, standardError: err)
/// ```
public struct OutpostCommand: Sendable {
    /// Exit status 0: the command did what was asked.
    public static let success: Int32 = 0
    /// Exit status 1: the command could not be done (invalid data, not found, refused, unreachable).
    public static let failure: Int32 = 1
    /// Exit status 64 (EX_USAGE): the command line itself is wrong.
    public static let usageError: Int32 = CommandLineTool.usageErrorStatus

    /// Runs the command line `arguments` (without the executable name).
    public static func run(
        _ arguments: [String], environment: [String: String],
        standardOutput: some TextOutput, standardError: some TextOutput
    ) async -> Int32 {
        let tool = CommandTree.tool
        let parsed: ParsedCommand
        switch tool.evaluate(arguments) {
        case .run(let command):
            parsed = command
        case .exit(let status, let out, let err):
            standardOutput.write(out)
            standardError.write(err)
            return status
        }
        let context = Context(parsed: parsed, environment: environment, out: standardOutput, err: standardError)
        do {
            try await Handlers(context).run()
            return success
        } catch let error as ArgumentError {
            return finish(tool.report(error, path: parsed.path), standardOutput, standardError)
        } catch CLIError.usage(let message) {
            let path = parsed.path.joined(separator: " ")
            standardError.write("Error: \(message)\nUsage: \(CommandTree.root.usage(for: parsed.path))\n  See '\(path) --help' for more information.\n")
            return usageError
        } catch let exit as CommandExit {
            return exit.status
        } catch {
            let shown = UserFacingError(error, situation: context.situation())
            standardError.write("Error: \(shown.message)\n")
            if context.verbose, let detail = shown.detail {
                standardError.write("  Detail: \(detail)\n")
            }
            return failure
        }
    }

    private static func finish(_ outcome: CommandLineTool.Outcome, _ out: some TextOutput, _ err: some TextOutput) -> Int32 {
        guard case .exit(let status, let standardOutput, let standardError) = outcome else { return failure }
        out.write(standardOutput)
        err.write(standardError)
        return status
    }
}

/// What a command handler needs: the parsed values, the environment and the output sinks.
struct Context: Sendable {
    let parsed: ParsedCommand
    let environment: [String: String]
    let out: any TextOutput
    let err: any TextOutput

    var values: ParsedValues { parsed.values }
    var json: Bool { values.flag("json") }
    /// `--verbose`: errors also show their technical detail.
    var verbose: Bool { values.flag("verbose") }
    /// The command path below the root, e.g. `["customer", "add"]`.
    var command: [String] { Array(parsed.path.dropFirst()) }

    /// How long a request waits for the server's answer when nothing overrides it.
    static let defaultTimeoutSeconds = 60

    /// How long a request waits for the server's answer (`$OUTPOST_TIMEOUT` seconds overrides it).
    var timeoutSeconds: Int {
        if let text = environment["OUTPOST_TIMEOUT"], let seconds = Int(text), seconds > 0 { return seconds }
        return Self.defaultTimeoutSeconds
    }

    /// What an error message can name: the replica file and the timeout.
    func situation() -> UserFacingError.Situation {
        UserFacingError.Situation(replicaPath: replicaLocation().path, timeoutSeconds: timeoutSeconds)
    }

    /// The current time in UTC milliseconds (`$OUTPOST_NOW`, an RFC 3339 time, overrides the clock for tests).
    var now: Int64 {
        if let text = environment["OUTPOST_NOW"], let millis = Timestamps.parse(text) { return millis }
        return Replica.systemMillis()
    }

    func print(_ text: String) { out.write(text + "\n") }
    func note(_ text: String) { err.write(text + "\n") }
    func printJSON(_ value: JSONValue) { out.write(value.serialized(pretty: true) + "\n") }

    /// Where the replica lives: `--db`, `$OUTPOST_DB`, `$OUTPOST_HOME/replica.db`, `~/.outpost/replica.db`.
    func replicaLocation() -> (path: String, directory: String?) {
        if let path = values.option("db"), !path.isEmpty { return (path, nil) }
        if let path = environment["OUTPOST_DB"], !path.isEmpty { return (path, nil) }
        if let home = environment["OUTPOST_HOME"], !home.isEmpty {
            return ((home as NSString).appendingPathComponent("replica.db"), home)
        }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let directory = (userHome as NSString).appendingPathComponent(".outpost")
        return ((directory as NSString).appendingPathComponent("replica.db"), directory)
    }

    /// Opens (or creates) the replica. SQLite's errors are left for ``UserFacingError`` to explain.
    func openReplica() throws -> Replica {
        let (path, directory) = replicaLocation()
        if let directory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw UserFacingError(message: "Cannot create the folder \(directory) for the local database: check that you may write there.",
                                      detail: String(describing: error))
            }
        }
        return try Replica(path: path)
    }
}
