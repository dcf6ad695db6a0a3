/// Why a command line could not be parsed, or a request for help.
///
/// Every case's ``description`` is a single line meant for the user, e.g.
/// `unknown option '--cod'; did you mean '--code'?`. The exception is
/// ``helpRequested(_:)``, whose description is the full help text to print.
///
/// Usage:
/// ```swift
/// do { let parsed = try root.parse(arguments) }
/// catch .helpRequested(let text) { print(text) }
/// catch { print("Error: \(error)") }
/// ```
public enum ArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option or flag that the command does not declare, with the closest known name if one is near.
    case unknownOption(String, suggestion: String?)
    /// An option was given as the last word, or followed by another option instead of its value.
    case missingValue(option: String, valueName: String)
    /// A required option was not given and has no default.
    case missingRequiredOption(option: String, valueName: String)
    /// A required positional argument was not given.
    case missingRequiredArgument(String)
    /// A positional word that no declared argument accepts.
    case unexpectedArgument(String)
    /// A word that is not a subcommand of `command` (the command path, e.g. `outpost customer`).
    case unknownSubcommand(String, command: String, suggestion: String?)
    /// `command` only groups subcommands and cannot run on its own; `available` lists them.
    case missingSubcommand(command: String, available: [String])
    /// A value that could not be converted, e.g. `abc` for an integer option.
    case invalidValue(name: String, value: String, reason: String)
    /// A flag was written with a value, as in `--json=yes`.
    case flagDoesNotTakeValue(String)
    /// `-h`, `--help` or `help <subcommand>` was given; carries the help text of the deepest command named.
    case helpRequested(String)

    /// A one-line message for the user (or the help text for ``helpRequested(_:)``).
    ///
    /// Usage: `FileHandle.standardError.write("Error: \(error.description)\n")`
    public var description: String {
        switch self {
        case .unknownOption(let name, let suggestion):
            return "unknown option '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .missingValue(let option, let valueName):
            return "option '\(option)' needs a value, as in '\(option) <\(valueName)>'"
                + " (write '\(option)=<\(valueName)>' if the value starts with '-')"
        case .missingRequiredOption(let option, let valueName):
            return "missing required option '\(option) <\(valueName)>'"
        case .missingRequiredArgument(let name):
            return "missing required argument <\(name)>"
        case .unexpectedArgument(let word):
            return "unexpected argument '\(word)'"
        case .unknownSubcommand(let word, let command, let suggestion):
            return "unknown subcommand '\(word)' for '\(command)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .missingSubcommand(let command, let available):
            return "'\(command)' needs a subcommand: \(available.joined(separator: ", "))"
        case .invalidValue(let name, let value, let reason):
            return "invalid value '\(value)' for \(name): \(reason)"
        case .flagDoesNotTakeValue(let flag):
            return "flag '\(flag)' does not take a value"
        case .helpRequested(let text):
            return text
        }
    }
}

/// Edit distance between two strings in characters, counting insertions, deletions,
/// substitutions and swaps of adjacent characters (optimal string alignment), so `jsno` is 1 from `json`.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo
/// (at most a third of its length wrong, minimum 1, maximum 3) or `word` is a prefix of it.
func suggestion(for word: String, among candidates: [String]) -> String? {
    guard !word.isEmpty else { return nil }
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(word, candidate)
        let limit = min(3, max(1, candidate.count / 3))
        guard distance <= limit || (word.count >= 2 && candidate.hasPrefix(word)) else { continue }
        if best == nil || distance < best!.distance { best = (candidate, distance) }
    }
    return best?.candidate
}
