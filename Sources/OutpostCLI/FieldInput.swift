import Foundation
import OutpostClient
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

    /// Parses the text given for a field. Returns a reason when it cannot be read.
    /// Timestamps are read as ``LocalTime`` reads them (`2026-11-24 09:30`, `tomorrow 9:30`, RFC 3339,
    /// `now`) in `local`'s zone and stored as UTC RFC 3339; `now` is UTC milliseconds.
    static func value(_ texts: [String], for field: FieldSchema, now: Int64, local: LocalTime, _ l: Localizer) -> Result<JSONValue, CLIError> {
        guard let text = texts.last else { return .success(.null) }
        func bad(_ expected: String) -> Result<JSONValue, CLIError> {
            .failure(.badValue(field: field.name, text: text, expected: expected))
        }
        switch field.kind {
        case .text, .code, .oneOf, .email, .reference:
            return .success(.string(text))
        case .timestamp:
            do {
                let millis = try local.parse(text, now: now)
                // RFC 3339 text is kept as typed (it is already unambiguous); other forms are stored in UTC.
                if Timestamps.parse(text) != nil { return .success(.string(text)) }
                return .success(.string(Timestamps.format(millis / 1000 * 1000)))
            } catch .skippedByClockChange(_, let zone) {
                return .failure(.skippedTime(field: field.name, text: text, timeZone: zone))
            } catch {
                return bad(expectation(field.kind, l))
            }
        case .integer:
            guard let number = Int64(text) else { return bad(summary(field.kind, l)) }
            return .success(.int(number))
        case .decimal:
            if let number = Int64(text) { return .success(.int(number)) }
            guard let number = Double(text), number.isFinite else { return bad(summary(field.kind, l)) }
            return .success(.double(number))
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "y", "1": return .success(.bool(true))
            case "false", "no", "n", "0": return .success(.bool(false))
            default: return bad(l("kind.yesNo"))
            }
        case .creditCode:
            switch CreditCode.parse(text) {
            case .success(let code): return .success(.string(code.text))
            case .failure(let problem):
                return bad("\(summary(field.kind, l)): \(problem)")
            }
        case .userList:
            let names = texts.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return .success(.array(names.filter { !$0.isEmpty }.map { .string($0) }))
        case .phoneList:
            let phones = texts.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return .success(.array(phones.filter { !$0.isEmpty }.map { .string($0) }))
        case .scores:
            // `service=5,quality=4`; scores and question keys are checked by the schema and the policy document.
            guard case .success(let answers) = SurveyScores.parse(text) else { return bad(summary(field.kind, l)) }
            return .success(SurveyScores.value(answers))
        }
    }

    /// What a value must look like, for help text and messages.
    static func expectation(_ kind: FieldKind, _ l: Localizer) -> String {
        switch kind {
        case .boolean: return l("kind.yesNo")
        case .timestamp: return l("kind.timeInput")
        default: return summary(kind, l)
        }
    }

    /// ``FieldKind/summary`` in the user's language.
    static func summary(_ kind: FieldKind, _ l: Localizer) -> String {
        switch kind {
        case .text(let max): return l("kind.text", ["max": max])
        case .code(let max): return l("kind.code", ["max": max])
        case .oneOf(let values): return l("kind.oneOf", ["values": values.joined(separator: ", ")])
        case .integer(let range): return l("kind.integer", ["min": range.lowerBound, "max": range.upperBound])
        case .decimal:
            // The bounds as the model words them (e.g. "0–10000000000000").
            let bounds = kind.summary.split(separator: " ").last.map(String.init) ?? ""
            return l("kind.decimal", ["range": bounds])
        case .boolean: return l("kind.boolean")
        case .timestamp: return l("kind.timestamp")
        case .reference(let type): return l("kind.reference", ["type": type.rawValue])
        case .email: return l("kind.email")
        case .phoneList(let max): return l("kind.phones", ["max": max])
        case .creditCode: return l("kind.creditCode")
        case .userList(let max): return l("kind.users", ["max": max])
        case .scores(let range, let max): return l("kind.scores", ["max": max, "low": range.lowerBound, "high": range.upperBound])
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
        case .scores: return "question=score,…"
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
        case .object:
            let answers = SurveyScores.text(of: value)  // a survey: "quality=4; service=5"
            return answers.isEmpty ? value.serialized() : answers
        }
    }
}
