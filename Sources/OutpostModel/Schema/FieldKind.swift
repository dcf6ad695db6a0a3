/// The kind of value a field holds, with its constraints.
public enum FieldKind: Sendable, Hashable {
    /// Free text up to `maxLength` characters.
    case text(maxLength: Int)
    /// A short code: 1–`maxLength` letters, digits, `-`, `_` or `.`.
    case code(maxLength: Int)
    /// One of a fixed set of values.
    case oneOf([String])
    /// A whole number within `range`.
    case integer(ClosedRange<Int64>)
    /// A decimal number within `range`.
    case decimal(ClosedRange<Double>)
    /// `true` or `false`.
    case boolean
    /// An instant as RFC 3339 / ISO 8601 text in UTC, e.g. `2026-11-24T09:30:00Z`.
    case timestamp
    /// The id (UUID) of another record of the given type.
    case reference(EntityType)
    /// An e-mail address.
    case email
    /// A list of phone numbers (digits, spaces, `+`, `-`, `(`, `)`), at most `maxCount`.
    case phoneList(maxCount: Int)
    /// A list of distinct user names (1–64 letters, digits, `.`, `-` or `_`), at most `maxCount`.
    case userList(maxCount: Int)
    /// An 18-character unified social credit code with a valid check character (GB 32100-2015), upper case.
    case creditCode
    /// Survey answers: a JSON object of 1–`maxQuestions` question keys (``SurveyScores/isValidKey(_:)``)
    /// each mapped to a whole number within `range`, e.g. `{"service": 5, "quality": 4}`.
    case scores(ClosedRange<Int64>, maxQuestions: Int)

    /// A short description for help and error messages.
    public var summary: String {
        switch self {
        case .text(let max): return "text (≤\(max) characters)"
        case .code(let max): return "code (1–\(max) letters, digits, '-', '_' or '.')"
        case .oneOf(let values): return "one of \(values.joined(separator: ", "))"
        case .integer(let range): return "whole number \(range.lowerBound)–\(range.upperBound)"
        case .decimal(let range): return "number \(Self.format(range.lowerBound))–\(Self.format(range.upperBound))"
        case .boolean: return "true or false"
        case .timestamp: return "date-time such as 2026-11-24T09:30:00Z"
        case .reference(let type): return "\(type.rawValue) id (UUID)"
        case .email: return "e-mail address"
        case .phoneList(let max): return "list of up to \(max) phone numbers"
        case .userList(let max): return "list of up to \(max) user names"
        case .creditCode: return "18-character unified social credit code"
        case .scores(let range, let max):
            return "up to \(max) question=score answers, each a whole number \(range.lowerBound)–\(range.upperBound)"
        }
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// One field of an entity schema.
public struct FieldSchema: Sendable, Hashable {
    /// The field's name on the wire (camelCase).
    public let name: String
    /// What values it accepts.
    public let kind: FieldKind
    /// `true` when every live record must have a non-null value.
    public let required: Bool
    /// A one-line description for help output and the protocol documentation.
    public let summary: String

    /// Creates a field schema.
    public init(_ name: String, _ kind: FieldKind, required: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.summary = summary
    }
}
