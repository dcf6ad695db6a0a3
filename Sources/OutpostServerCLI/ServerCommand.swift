import OutpostArguments
import OutpostTerminal

/// The `outpost-server` command line, runnable in-process: arguments in, text and an exit status out.
///
/// ```swift
/// let out = TextBuffer(), err = TextBuffer()
/// let status = await ServerCommand.run(["status", "--db", path, "--json"], environment: [:],
///                                      standardOutput: out, standardError: err)
/// ```
///
/// Commands are declared with their handlers in ``ServerCommandTree``; `--help` is generated from
/// the same declarations, and command-line mistakes print the usage and exit with status 64.
public enum ServerCommand {
    /// Exit status 0: the command did what was asked.
    public static let success: Int32 = 0
    /// Exit status 1: the command could not be done (unknown user, unreadable file, database error…).
    public static let failure: Int32 = 1
    /// Exit status 64 (EX_USAGE): the command line itself is wrong.
    public static let usageError: Int32 = CommandLineTool.usageErrorStatus

    /// Runs the command line `arguments` (without the executable name).
    public static func run(_ arguments: [String], environment: [String: String],
                           standardOutput: some TextOutput, standardError: some TextOutput) async -> Int32 {
        let tree = ServerCommandTree.root
        let tool = CommandLineTool(root: tree.spec)
        let outcome = tool.evaluate(arguments)
        guard case .run(let parsed) = outcome else { return finish(outcome, standardOutput, standardError) }
        let context = ServerContext(parsed: parsed, environment: environment, out: standardOutput, err: standardError)
        do {
            guard let handler = tree.node(at: Array(parsed.path.dropFirst()))?.handler else {
                throw ServerCLIError.usage("'\(parsed.path.joined(separator: " "))' needs a subcommand.")
            }
            try await handler(context)
            return success
        } catch let error as ArgumentError {
            return finish(tool.report(error, path: parsed.path), standardOutput, standardError)
        } catch ServerCLIError.usage(let message) {
            let strings = tool.strings
            standardError.write(HelpStrings.labelled(strings.errorLabel, message) + "\n"
                + HelpStrings.labelled(strings.usageLabel, tool.root.usage(for: parsed.path)) + "\n  "
                + strings.seeMoreInformation(parsed.path.joined(separator: " ")) + "\n")
            return usageError
        } catch {
            standardError.write(HelpStrings.labelled(tool.strings.errorLabel, "\(error)") + "\n")
            return failure
        }
    }

    /// Writes the help or usage text of an outcome that ends the run and returns its exit status.
    private static func finish(_ outcome: CommandLineTool.Outcome, _ out: some TextOutput, _ err: some TextOutput) -> Int32 {
        guard case .exit(let status, let standardOutput, let standardError) = outcome else { return usageError }
        out.write(standardOutput)
        err.write(standardError)
        return status
    }
}

/// Why a command stopped: a usage mistake (exit 64, with the usage line) or a failure (exit 1).
enum ServerCLIError: Error, CustomStringConvertible {
    /// The command line is wrong in a way the parser cannot see, e.g. an unknown role.
    case usage(String)
    /// The command could not be done.
    case failure(String)

    var description: String {
        switch self {
        case .usage(let message), .failure(let message): return message
        }
    }
}
