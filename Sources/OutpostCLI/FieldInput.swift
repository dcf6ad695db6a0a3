import Foundation
import OutpostJSON
import OutpostModel

/// Turns command-line text into field values according to the entity schema, and names
/// options after fields (`annualPurchase` ⇄ `--annual-purchase`).
enum FieldInput {
    /// `annualPurchase` → `annual-purchase`.
    static func optionName(for field: String) -> String {
        var result = ""
        for character in field {
            if character.isUppercase {
                result += "-" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Parses the text given for a field. Returns `nil` with a reason when it cannot be read.
    /// Timestamps accept `now` (the time given as `now`, UTC milliseconds).
    static func value(_ texts: [String], for field: FieldSchema, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> Result<JSONValue, CLIError> {
        guard let text = texts.last else { return .success(.null) }
        switch field.kind {
        case .text, .code, .oneOf, .email, .reference:
            return .success(.string(text))
        case .timestamp:
            if text.lowercased() == "now" { return .success(.string(Timestamps.format(now / 1000 * 1000))) }
            guard Timestamps.parse(text) != nil else {
                return .failure(.badValue(field: field.name, text: text, expected: field.kind.summary))
            }
            return .success(.string(text))
        case .integer:
            guard let number = Int64(text) else { return .failure(.badValue(field: field.name, text: text, expected: field.kind.summary)) }
            return .success(.int(number))
        case .decimal:
            if let number = Int64(text) { return .success(.int(number)) }
            guard let number = Double(text), number.isFinite else {
                return .failure(.badValue(field: field.name, text: text, expected: field.kind.summary))
            }
            return .success(.double(number))
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "y", "1": return .success(.bool(true))
            case "false", "no", "n", "0": return .success(.bool(false))
            default: return .failure(.badValue(field: field.name, text: text, expected: "yes or no"))
            }
        case .creditCode:
            switch CreditCode.parse(text) {
            case .success(let code): return .success(.string(code.text))
            case .failure(let problem):
                return .failure(.badValue(field: field.name, text: text, expected: "\(field.kind.summary): \(problem)"))
            }
        case .userList:
            let names = texts.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return .success(.array(names.filter { !$0.isEmpty }.map { .string($0) }))
        case .phoneList:
            let phones = texts.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return .success(.array(phones.filter { !$0.isEmpty }.map { .string($0) }))
        }
    }

    /// What a value must look like, for help text.
    static func expectation(_ kind: FieldKind) -> String {
        switch kind {
        case .boolean: return "yes or no"
        case .timestamp: return "date-time such as 2026-11-24T09:30:00Z, or now"
        default: return kind.summary
        }
    }

    /// The placeholder shown in help, as in `--tier <tier>`.
    static func valueName(_ kind: FieldKind) -> String {
        switch kind {
        case .text: return "text"
        case .code: return "code"
        case .oneOf: return "value"
        case .integer: return "n"
        case .decimal: return "number"
        case .boolean: return "yes|no"
        case .timestamp: return "time"
        case .reference: return "id"
        case .email: return "email"
        case .phoneList: return "phone"
        case .userList: return "user"
        case .creditCode: return "code"
        }
    }

    /// A value for display in tables and `show`.
    static func display(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "yes" : "no"
        case .array(let items): return items.map { display($0) }.joined(separator: ", ")
        case .object: return value.serialized()
        }
    }
}
