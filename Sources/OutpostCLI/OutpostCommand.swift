import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

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
        let early = EarlyArguments(arguments, environment: environment)
        let preopened = early.openExistingReplica()
        let replica = try? preopened?.replica.get()
        let preferences = (try? replica?.preferences()) ?? [:]
        let language = early.language ?? preferences[.language].flatMap(Language.init(code:))
            ?? Language.fromEnvironment(environment) ?? .english
        let l = Localizer(language)
        let local = LocalTime.resolve(setting: preferences[.timeZone], environment: environment,
                                      branch: (try? replica?.settings())??.branch, policy: try? replica?.policy())
        let tool = CommandTree.tool(l)
        let parsed: ParsedCommand
        switch tool.evaluate(arguments) {
        case .run(let command):
            parsed = command
        case .exit(let status, let out, let err):
            standardOutput.write(out)
            standardError.write(err)
            return status
        }
        let context = Context(parsed: parsed, environment: environment, out: standardOutput, err: standardError,
                              l: l, local: local, preopened: preopened)
        do {
            try await Handlers(context).run()
            return success
        } catch let error as ArgumentError {
            return finish(tool.report(error, path: parsed.path), standardOutput, standardError)
        } catch CLIError.usage(let message) {
            let path = parsed.path.joined(separator: " ")
            standardError.write(HelpStrings.labelled(l("error.label"), message) + "\n"
                + HelpStrings.labelled(l("error.usage"), tool.root.usage(for: parsed.path)) + "\n  "
                + l("error.seeHelp", ["command": path]) + "\n")
            return usageError
        } catch let exit as CommandExit {
            return exit.status
        } catch {
            let shown = UserFacingError(error, situation: context.situation(), l)
            standardError.write(HelpStrings.labelled(l("error.label"), shown.message) + "\n")
            if context.verbose, let detail = shown.detail {
                standardError.write("  " + HelpStrings.labelled(l("error.detail"), detail) + "\n")
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

/// The replica location and `--lang`, read from the command line before it is parsed, so that
/// help and usage errors already speak the user's language.
struct EarlyArguments {
    var db: String?
    var language: Language?
    var command: String?
    let environment: [String: String]

    init(_ arguments: [String], environment: [String: String]) {
        self.environment = environment
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" { break }
            for name in ["db", "lang"] {
                var value: String?
                if word == "--\(name)", index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else if word.hasPrefix("--\(name)=") {
                    value = String(word.dropFirst(name.count + 3))
                }
                guard let value else { continue }
                if name == "db" { db = value } else { language = Language(code: value) }
            }
            if command == nil && !word.hasPrefix("-") { command = word }
        }
    }

    /// The replica, opened when its file exists and the command is not `doctor` (which must
    /// look at a damaged file without touching it) — to read the user's settings and to be
    /// used by the command itself.
    func openExistingReplica() -> Preopened? {
        guard command != "doctor" else { return nil }
        let path = Context.replicaLocation(db: db, environment: environment).path
        guard path != ":memory:", FileManager.default.fileExists(atPath: path) else { return nil }
        return Preopened(path: path, replica: Result { try Replica(path: path) })
    }

    /// A replica opened before parsing, or why it could not be opened.
    struct Preopened: Sendable {
        var path: String
        var replica: Result<Replica, any Error>
    }
}

/// What a command handler needs: the parsed values, the environment and the output sinks.
struct Context: Sendable {
    let parsed: ParsedCommand
    let environment: [String: String]
    let out: any TextOutput
    let err: any TextOutput
    /// The user's language.
    let l: Localizer
    /// The user's time zone.
    let local: LocalTime
    let preopened: EarlyArguments.Preopened?

    /// How text output shows records and times.
    var display: Display { Display(l: l, local: local) }

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
        UserFacingError.Situation(l, replicaPath: replicaLocation().path, timeoutSeconds: timeoutSeconds)
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
        Self.replicaLocation(db: values.option("db"), environment: environment)
    }

    static func replicaLocation(db: String?, environment: [String: String]) -> (path: String, directory: String?) {
        if let path = db, !path.isEmpty { return (path, nil) }
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
        if let preopened, preopened.path == path { return try preopened.replica.get() }
        if let directory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw UserFacingError(message: l("error.cannotCreateFolder", ["folder": directory]),
                                      detail: String(describing: error))
            }
        }
        return try Replica(path: path)
    }
}
