import Foundation
import OutpostJSON
import OutpostModel

/// A Swift type a typed model property holds, converted to and from a field's JSON value.
///
/// Which schema field kinds a type can hold is checked against the schema by the models' tests
/// (``accepts(_:)``), so the schema stays the one definition of every field.
public protocol FieldValue: Sendable, Hashable {
    /// Reads a stored value; `nil` when the JSON holds another kind of value (kept as it is).
    init?(json: JSONValue)
    /// The value as stored.
    var json: JSONValue { get }
    /// The value shown for a required field a record lacks (never the case for a valid live record).
    static var placeholder: Self { get }
    /// `true` when fields of `kind` hold values of this type.
    static func accepts(_ kind: FieldKind) -> Bool
}

extension String: FieldValue {
    public init?(json: JSONValue) {
        guard let text = json.stringValue else { return nil }
        self = text
    }
    public var json: JSONValue { .string(self) }
    public static var placeholder: String { "" }
    public static func accepts(_ kind: FieldKind) -> Bool {
        switch kind {
        case .text, .code, .email, .creditCode: return true
        default: return false
        }
    }
}

extension RecordID: FieldValue {
    public init?(json: JSONValue) {
        guard let text = json.stringValue, let id = try? RecordID(text) else { return nil }
        self = id
    }
    public var json: JSONValue { .string(rawValue) }
    public static var placeholder: RecordID { RecordID(unchecked: "") }
    public static func accepts(_ kind: FieldKind) -> Bool {
        if case .reference = kind { return true }
        return false
    }
}

extension Int: FieldValue {
    public init?(json: JSONValue) {
        guard let value = json.intValue, let int = Int(exactly: value) else { return nil }
        self = int
    }
    public var json: JSONValue { .int(Int64(self)) }
    public static var placeholder: Int { 0 }
    public static func accepts(_ kind: FieldKind) -> Bool {
        if case .integer = kind { return true }
        return false
    }
}

extension Double: FieldValue {
    public init?(json: JSONValue) {
        guard let value = json.doubleValue else { return nil }
        self = value
    }
    public var json: JSONValue { .double(self) }
    public static var placeholder: Double { 0 }
    public static func accepts(_ kind: FieldKind) -> Bool {
        if case .decimal = kind { return true }
        return false
    }
}

extension Bool: FieldValue {
    public init?(json: JSONValue) {
        guard let value = json.boolValue else { return nil }
        self = value
    }
    public var json: JSONValue { .bool(self) }
    public static var placeholder: Bool { false }
    public static func accepts(_ kind: FieldKind) -> Bool { kind == .boolean }
}

/// Timestamps: RFC 3339 text in UTC, to the millisecond.
extension Date: FieldValue {
    public init?(json: JSONValue) {
        guard let text = json.stringValue, let millis = Timestamps.parse(text) else { return nil }
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }
    public var json: JSONValue { .string(Timestamps.format(millis)) }
    public static var placeholder: Date { Date(timeIntervalSince1970: 0) }
    public static func accepts(_ kind: FieldKind) -> Bool { kind == .timestamp }

    /// Milliseconds since 1970 (UTC), rounded, as stored.
    public var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

/// Lists of phone numbers or user names.
extension Array: FieldValue where Element == String {
    public init?(json: JSONValue) {
        guard let items = json.arrayValue else { return nil }
        let texts = items.compactMap(\.stringValue)
        guard texts.count == items.count else { return nil }
        self = texts
    }
    public var json: JSONValue { .array(map { .string($0) }) }
    public static var placeholder: [String] { [] }
    public static func accepts(_ kind: FieldKind) -> Bool {
        switch kind {
        case .phoneList, .userList: return true
        default: return false
        }
    }
}

/// Survey answers: question key → score (``FieldKind/scores(_:maxQuestions:)``).
extension Dictionary: FieldValue where Key == String, Value == Int {
    public init?(json: JSONValue) {
        guard let object = json.objectValue else { return nil }
        var answers: [String: Int] = [:]
        for (key, value) in object {
            guard let score = value.intValue.flatMap({ Int(exactly: $0) }) else { return nil }
            answers[key] = score
        }
        self = answers
    }
    public var json: JSONValue { .object(mapValues { .int(Int64($0)) }) }
    public static var placeholder: [String: Int] { [:] }
    public static func accepts(_ kind: FieldKind) -> Bool {
        if case .scores = kind { return true }
        return false
    }
}

/// One of a field's fixed values (``FieldKind/oneOf(_:)``), as an extensible enumeration: the
/// known values are static constants, and a value from a newer schema is kept as it is.
///
/// ```swift
/// customer.tier = .core
/// if customer.tier == .important { … }
/// ```
public protocol FieldChoice: FieldValue, RawRepresentable, CaseIterable, CustomStringConvertible
where RawValue == String, AllCases == [Self] {
    init(rawValue: String)
}

extension FieldChoice {
    public init?(json: JSONValue) {
        guard let text = json.stringValue else { return nil }
        self.init(rawValue: text)
    }
    public var json: JSONValue { .string(rawValue) }
    public static var placeholder: Self { Self(rawValue: "") }
    /// `true` for a `oneOf` field whose values are exactly ``allCases``, in order.
    public static func accepts(_ kind: FieldKind) -> Bool {
        guard case .oneOf(let values) = kind else { return false }
        return values == allCases.map(\.rawValue)
    }
    public var description: String { rawValue }
    /// `true` when the value is one of the values the schema of this app knows.
    public var isKnown: Bool { Self.allCases.contains(self) }
}
