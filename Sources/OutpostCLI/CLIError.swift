import OutpostClient
import OutpostModel
import OutpostTerminal

/// Errors the `outpost` command reports, each with a message that says what to do.
/// The cases carrying a message were worded in the user's language where they were thrown.
enum CLIError: Error, CustomStringConvertible {
    /// A value given on the command line cannot be read for a field.
    case badValue(field: String, text: String, expected: String)
    /// A local time the clocks skip in `timeZone` (the change to summer time).
    case skippedTime(field: String, text: String, timeZone: String)
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
        static func table(_ candidates: [Candidate], _ l: Localizer) -> [String] {
            let columns = ["id", "name", "branch", "owner", "note"].map { l("column.\($0)") }
            return TextTable(columns: columns, rows: candidates.map { candidate in
                [String(candidate.id.rawValue.prefix(8)), candidate.name, candidate.branch, candidate.owner ?? "—",
                 candidate.isDeleted ? l("note.deleted") : ""]
            }).rendered().split(separator: "\n").map { "  " + $0 }
        }
    }

    var description: String { message(Localizer(.english)) }

    /// The message in the user's language.
    func message(_ l: Localizer) -> String {
        switch self {
        case .badValue(let field, let text, let expected):
            return l("error.badValue", ["text": text, "field": field, "expected": expected])
        case .skippedTime(let field, let text, let zone):
            return l("error.skippedTime", ["text": text, "field": field, "zone": zone])
        case .notFound(let key):
            return l("error.notFound", ["key": key])
        case .ambiguous(let key, let count):
            return l("error.ambiguous", ["key": key, "count": count])
        case .sharedCode(let code, let candidates):
            let example = candidates.last.map { String($0.id.rawValue.prefix(8)) } ?? "ID"
            return l("error.sharedCode.head", ["count": candidates.count, "code": code]) + "\n"
                + Candidate.table(candidates, l).joined(separator: "\n") + "\n"
                + l("error.sharedCode.tail", ["example": example])
        case .usage(let message), .noConflict(let message), .operational(let message):
            return message
        }
    }
}

/// Ends a command with a failure status after it has printed its own report (e.g. `doctor`
/// finding damage): nothing more is printed.
struct CommandExit: Error {
    var status: Int32 = OutpostCommand.failure
}
