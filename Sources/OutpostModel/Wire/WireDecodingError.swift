import OutpostJSON
/// A JSON document did not have the shape the protocol requires.
///
/// `path` points at the offending value, e.g. `records[3].fields.tier[0].dot`.
public struct WireDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What sort of problem it is.
    public enum Kind: Sendable, Hashable {
        /// The document does not have the shape the protocol requires.
        case invalid
        /// The document is well formed but exceeds a size limit of SPEC §14 (``RecordLimits``):
        /// too many clock entries, fields or siblings, or a record too large. Servers answer
        /// `record_too_large` rather than `invalid_request`.
        case limitExceeded
    }

    /// Where in the document the problem is (`$` is the root).
    public let path: String
    /// What is wrong, in plain words.
    public let reason: String
    /// What sort of problem it is.
    public let kind: Kind

    /// Creates an error.
    public init(path: String, reason: String, kind: Kind = .invalid) {
        self.path = path
        self.reason = reason
        self.kind = kind
    }

    /// `true` when the error is a breached size limit (``Kind/limitExceeded``).
    public var isLimitExceeded: Bool { kind == .limitExceeded }

    public var description: String { "\(path): \(reason)" }
}

/// Strict reading of a JSON object: every key must be consumed, so unknown fields are refused.
///
/// ```swift
/// var reader = try ObjectReader(json, path: "$")
/// let id = try reader.string("id")
/// let limit = try reader.optionalInt("limit")
/// try reader.finish()   // throws if the object had keys nobody read
/// ```
public struct ObjectReader {
    private let object: [String: JSONValue]
    /// The path of the object being read.
    public let path: String
    private var consumedCount = 0

    /// Starts reading `value`, which must be an object.
    public init(_ value: JSONValue, path: String) throws(WireDecodingError) {
        guard case .object(let object) = value else {
            throw WireDecodingError(path: path, reason: "expected an object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    /// The path of a member.
    public func path(_ key: String) -> String { "\(path).\(key)" }

    /// A member that must be present.
    public mutating func value(_ key: String) throws(WireDecodingError) -> JSONValue {
        guard let value = object[key] else { throw WireDecodingError(path: path(key), reason: "is required") }
        consumedCount += 1
        return value
    }

    /// A member that may be absent (or null).
    public mutating func optionalValue(_ key: String) -> JSONValue? {
        guard let value = object[key] else { return nil }
        consumedCount += 1
        return value.isNull ? nil : value
    }

    /// A required string member.
    public mutating func string(_ key: String) throws(WireDecodingError) -> String {
        let value = try value(key)
        guard case .string(let text) = value else { throw typeError(key, "a string", value) }
        return text
    }

    /// An optional string member.
    public mutating func optionalString(_ key: String) throws(WireDecodingError) -> String? {
        guard let value = optionalValue(key) else { return nil }
        guard case .string(let text) = value else { throw typeError(key, "a string", value) }
        return text
    }

    /// A required integer member.
    public mutating func int(_ key: String) throws(WireDecodingError) -> Int64 {
        let value = try value(key)
        guard case .int(let number) = value else { throw typeError(key, "an integer", value) }
        return number
    }

    /// An optional integer member.
    public mutating func optionalInt(_ key: String) throws(WireDecodingError) -> Int64? {
        guard let value = optionalValue(key) else { return nil }
        guard case .int(let number) = value else { throw typeError(key, "an integer", value) }
        return number
    }

    /// A required boolean member.
    public mutating func bool(_ key: String) throws(WireDecodingError) -> Bool {
        let value = try value(key)
        guard case .bool(let flag) = value else { throw typeError(key, "true or false", value) }
        return flag
    }

    /// A required array member.
    public mutating func array(_ key: String) throws(WireDecodingError) -> [JSONValue] {
        let value = try value(key)
        guard case .array(let items) = value else { throw typeError(key, "an array", value) }
        return items
    }

    /// A required object member.
    public mutating func object(_ key: String) throws(WireDecodingError) -> [String: JSONValue] {
        let value = try value(key)
        guard case .object(let members) = value else { throw typeError(key, "an object", value) }
        return members
    }

    /// Fails when the object has members that were not read (`known` lists every member name
    /// the caller reads, used only to name the unknown one in the error).
    public func finish(known: [String] = []) throws(WireDecodingError) {
        guard consumedCount < object.count else { return }
        let unknown = object.keys.sorted().first { !known.contains($0) } ?? "?"
        throw WireDecodingError(path: path(unknown), reason: "is not a known field")
    }

    private func typeError(_ key: String, _ expected: String, _ value: JSONValue) -> WireDecodingError {
        WireDecodingError(path: path(key), reason: "expected \(expected), got \(value.typeName)")
    }
}
