#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Glue for executables: parse, print help or errors the conventional way, and exit.
///
/// - Help (`-h`, `--help`, `help <subcommand>`) goes to stdout with exit status 0.
/// - Any other ``ArgumentError`` goes to stderr as `Error: <message>`, followed by the usage line
///   of the command that was being parsed and a pointer to its `--help`, with exit status 64 (`EX_USAGE`).
///
/// Usage:
/// ```swift
/// let tool = CommandLineTool(root: outpostCommand)
/// let parsed = tool.parseOrExit()
/// let limit = tool.valueOrExit(path: parsed.path) { try parsed.values.int("limit") } ?? 50
/// ```
public struct CommandLineTool: Sendable {
    /// The exit status for command-line usage errors (`EX_USAGE` from sysexits.h).
    ///
    /// Usage: `exit(CommandLineTool.usageErrorStatus)`
    public static let usageErrorStatus: Int32 = 64

    /// What running the tool on some words should do; returned by ``evaluate(_:)`` so it can be tested.
    ///
    /// Usage: `if case .exit(let status, _, let err) = tool.evaluate(["--bogus"]) { ... }`
    public enum Outcome: Sendable {
        /// Parsing succeeded; run the selected command.
        case run(ParsedCommand)
        /// Print `standardOutput` and `standardError` (either may be empty) and exit with `status`.
        case exit(status: Int32, standardOutput: String, standardError: String)
    }

    /// The root command, whose name is used as the executable name in messages.
    ///
    /// Usage: `tool.root.name`
    public var root: CommandSpec

    /// The words printed around help and usage errors (English by default).
    ///
    /// Usage: `tool.strings.errorLabel`
    public var strings: HelpStrings

    /// Creates a tool for the given root command.
    ///
    /// Usage: `let tool = CommandLineTool(root: spec)`
    public init(root: CommandSpec, strings: HelpStrings = .english) {
        self.root = root
        self.strings = strings
    }

    /// Parses `arguments` and decides what to do, without printing or exiting.
    ///
    /// Usage: `let outcome = tool.evaluate(["customer", "add", "--help"])`
    public func evaluate(_ arguments: [String]) -> Outcome {
        switch root.parseTrackingPath(arguments, strings: strings) {
        case .success(let parsed):
            return .run(parsed)
        case .failure(let failure):
            return report(failure.error, path: failure.path)
        }
    }

    /// The outcome for an ``ArgumentError`` raised while parsing or later, e.g. by
    /// `values.int("limit")` in a command handler; `path` selects the usage line shown.
    ///
    /// Usage: `let outcome = tool.report(error, path: parsed.path)`
    public func report(_ error: ArgumentError, path: [String]) -> Outcome {
        if case .helpRequested(let text) = error {
            return .exit(status: 0, standardOutput: text + "\n", standardError: "")
        }
        let chain = root.chain(for: path)
        let commandPath = chain.map(\.name).joined(separator: " ")
        let message = """
            \(HelpStrings.labelled(strings.errorLabel, strings.describe(error)))
            \(HelpStrings.labelled(strings.usageLabel, root.usage(forChain: chain)))
              \(strings.seeMoreInformation(commandPath))

            """
        return .exit(status: Self.usageErrorStatus, standardOutput: "", standardError: message)
    }

    /// Parses `arguments` (by default this process's arguments), printing help and exiting 0, or printing
    /// the error and usage to stderr and exiting 64, unless a command was selected.
    ///
    /// Usage: `let parsed = CommandLineTool(root: spec).parseOrExit()`
    public func parseOrExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> ParsedCommand {
        switch evaluate(arguments) {
        case .run(let parsed):
            return parsed
        case .exit(let status, let standardOutput, let standardError):
            Self.finish(status: status, standardOutput: standardOutput, standardError: standardError)
        }
    }

    /// Runs `body`, exiting like ``parseOrExit(_:)`` if it throws an ``ArgumentError``.
    /// Use it for conversions such as `values.int("limit")` after parsing.
    ///
    /// Usage: `let limit = tool.valueOrExit(path: parsed.path) { try parsed.values.int("limit") } ?? 50`
    public func valueOrExit<T>(path: [String], _ body: () throws(ArgumentError) -> T) -> T {
        do {
            return try body()
        } catch {
            guard case .exit(let status, let standardOutput, let standardError) = report(error, path: path) else {
                fatalError("report(_:path:) always produces an exit outcome")
            }
            Self.finish(status: status, standardOutput: standardOutput, standardError: standardError)
        }
    }

    private static func finish(status: Int32, standardOutput: String, standardError: String) -> Never {
        write(standardOutput, to: 1)
        write(standardError, to: 2)
        exit(status)
    }

    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Darwin)
                Darwin.write(descriptor, buffer.baseAddress, buffer.count)
                #elseif canImport(Musl)
                Musl.write(descriptor, buffer.baseAddress, buffer.count)
                #else
                Glibc.write(descriptor, buffer.baseAddress, buffer.count)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
