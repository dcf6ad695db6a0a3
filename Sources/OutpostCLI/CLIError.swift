import OutpostModel

/// Errors the `outpost` command reports, each with a message that says what to do.
enum CLIError: Error, CustomStringConvertible {
    /// A value given on the command line cannot be read for a field.
    case badValue(field: String, text: String, expected: String)
    /// No record matches the id or code given.
    case notFound(String)
    /// Several records match a short id.
    case ambiguous(String, count: Int)
    /// Several customers use the code given (two devices created it offline): name one by id.
    case sharedCode(String, candidates: [Candidate])
    /// The command needs something else given (e.g. at least one field to edit).
    case usage(String)
    /// The record has no conflict of that kind.
    case noConflict(String)
    /// Something else went wrong (the message says what).
    case operational(String)

    /// A customer among several sharing a code, as listed for the user to choose.
    struct Candidate: Sendable, Hashable {
        var id: RecordID
        var name: String
        var branch: String
        var owner: String?
        var isDeleted: Bool

        init(_ customer: Record) {
            id = customer.id
            name = customer.value(of: "name")?.stringValue ?? ""
            branch = customer.branch
            owner = customer.value(of: "owner")?.stringValue
            isDeleted = customer.isDeleted
        }

        /// The candidates as indented table lines: id prefix, name, branch, owner.
        static func table(_ candidates: [Candidate]) -> [String] {
            TextTable(columns: ["ID", "NAME", "BRANCH", "OWNER", "NOTE"], rows: candidates.map { candidate in
                [String(candidate.id.rawValue.prefix(8)), candidate.name, candidate.branch, candidate.owner ?? "—",
                 candidate.isDeleted ? "deleted" : ""]
            }).rendered().split(separator: "\n").map { "  " + $0 }
        }
    }

    var description: String {
        switch self {
        case .badValue(let field, let text, let expected):
            return "'\(text)' is not a valid \(field): expected \(expected)."
        case .notFound(let key):
            return "No record matches '\(key)'. Use `list` to see ids and codes."
        case .ambiguous(let key, let count):
            return "'\(key)' matches \(count) records; give more characters of the id."
        case .sharedCode(let code, let candidates):
            let example = candidates.last.map { String($0.id.rawValue.prefix(8)) } ?? "ID"
            return "\(candidates.count) customers use the code \(code) (created on different devices while offline):\n"
                + Candidate.table(candidates).joined(separator: "\n") + "\n"
                + "Name the one you mean by its id (or its first characters, as listed). To tell them apart for good, "
                + "give one a new code: outpost customer edit \(example) --code NEW-CODE"
        case .usage(let message):
            return message
        case .noConflict(let message):
            return message
        case .operational(let message):
            return message
        }
    }
}

/// Ends a command with a failure status after it has printed its own report (e.g. `doctor`
/// finding damage): nothing more is printed.
struct CommandExit: Error {
    var status: Int32 = OutpostCommand.failure
}
