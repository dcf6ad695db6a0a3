import OutpostJSON
/// Value checks shared by every schema. Returns a description of the bad value, or `nil` when valid.
enum FieldRules {
    static func check(_ value: JSONValue, against kind: FieldKind) -> String? {
        switch kind {
        case .text(let maxLength):
            guard case .string(let text) = value else { return describe(value) }
            return text.count <= maxLength ? nil : "\(text.count) characters"
        case .code(let maxLength):
            guard case .string(let text) = value else { return describe(value) }
            let ok = !text.isEmpty && text.utf8.count <= maxLength && text.utf8.allSatisfy(isCodeByte)
            return ok ? nil : describe(value)
        case .oneOf(let allowed):
            guard case .string(let text) = value else { return describe(value) }
            return allowed.contains(text) ? nil : describe(value)
        case .integer(let range):
            guard case .int(let number) = value else { return describe(value) }
            return range.contains(number) ? nil : describe(value)
        case .decimal(let range):
            guard let number = value.doubleValue, number.isFinite else { return describe(value) }
            return range.contains(number) ? nil : describe(value)
        case .boolean:
            return value.boolValue == nil ? describe(value) : nil
        case .timestamp:
            guard case .string(let text) = value else { return describe(value) }
            return Timestamps.parse(text) == nil ? describe(value) : nil
        case .reference:
            guard case .string(let text) = value else { return describe(value) }
            return RecordID.normalize(text) == text ? nil : describe(value)
        case .email:
            guard case .string(let text) = value else { return describe(value) }
            return isEmail(text) ? nil : describe(value)
        case .phoneList(let maxCount):
            guard case .array(let items) = value else { return describe(value) }
            if items.count > maxCount { return "\(items.count) numbers" }
            for item in items {
                guard case .string(let phone) = item, isPhone(phone) else { return describe(item) }
            }
            return nil
        case .userList(let maxCount):
            guard case .array(let items) = value else { return describe(value) }
            if items.count > maxCount { return "\(items.count) user names" }
            var seen = Set<String>()
            for item in items {
                guard case .string(let name) = item, UserName.isValid(name), seen.insert(name).inserted else { return describe(item) }
            }
            return nil
        case .creditCode:
            guard case .string(let text) = value else { return describe(value) }
            if let problem = CreditCode.validate(text) { return "\(describe(value)) (\(problem))" }
            return CreditCode(text)?.text == text ? nil : "\(describe(value)) (send it in upper case without spaces)"
        case .scores(let range, let maxQuestions):
            guard case .object(let answers) = value else { return describe(value) }
            if answers.isEmpty { return "no answers (clear the field with null instead)" }
            if answers.count > maxQuestions { return "\(answers.count) answers" }
            for (key, score) in answers.sorted(by: { $0.key < $1.key }) {
                guard SurveyScores.isValidKey(key) else { return "the question key \(describe(.string(key)))" }
                guard case .int(let number) = score, range.contains(number) else { return "\(key)=\(describe(score))" }
            }
            return nil
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        default: return "a \(value.typeName)"
        }
    }

    private static func isCodeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    private static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), text.count <= 254
        else { return false }
        return !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" })
    }

    private static func isPhone(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber).count
        guard digits >= 3, digits <= 20, text.count <= 32 else { return false }
        return text.allSatisfy { $0.isNumber || " +-()".contains($0) }
    }
}
