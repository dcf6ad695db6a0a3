import OutpostModel

/// Errors the `outpost` command reports, each with a message that says what to do.
enum CLIError: Error, CustomStringConvertible {
    /// A value given on the command line cannot be read for a field.
    case badValue(field: String, text: String, expected: String)
    /// No record matches the id or code given.
    case notFound(String)
    /// Several records match a short id.
    case ambiguous(String, count: Int)
    /// The command needs something else given (e.g. at least one field to edit).
    case usage(String)
    /// The record has no conflict of that kind.
    case noConflict(String)
    /// Something else went wrong (the message says what).
    case operational(String)

    var description: String {
        switch self {
        case .badValue(let field, let text, let expected):
            return "'\(text)' is not a valid \(field): expected \(expected)."
        case .notFound(let key):
            return "No record matches '\(key)'. Use `list` to see ids and codes."
        case .ambiguous(let key, let count):
            return "'\(key)' matches \(count) records; give more characters of the id."
        case .usage(let message):
            return message
        case .noConflict(let message):
            return message
        case .operational(let message):
            return message
        }
    }
}
