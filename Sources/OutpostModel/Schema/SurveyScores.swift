import OutpostJSON

/// The answers of one satisfaction survey: question key → score (a visit's `survey` field,
/// SPEC §6.3). Keys are the questions of the policy document (``SatisfactionPolicy/questions``).
///
/// ```swift
/// let answers = try SurveyScores.parse("service=5, quality=4").get()   // ["quality": 4, "service": 5]
/// SurveyScores.text(of: .object(["service": 5, "quality": 4]))           // "quality=4; service=5"
/// ```
public enum SurveyScores {
    /// The scores a question may get: 1 (poor) to 5 (excellent).
    public static let range: ClosedRange<Int64> = 1...5
    /// The most questions one survey may answer.
    public static let maxQuestions = 20
    /// The longest question key.
    public static let maxKeyLength = 32

    /// `true` for a question key: 1–32 lowercase ASCII letters, digits, `-` or `_`, starting with a letter.
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard let first = bytes.first, bytes.count <= maxKeyLength, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// Why a text cannot be read as survey answers.
    public enum ParseProblem: Error, Sendable, Hashable {
        /// A part is not `question=score`.
        case notAPair(String)
        /// The score is not a whole number.
        case notANumber(question: String, text: String)
        /// The same question is answered twice.
        case repeated(String)
    }

    /// Reads `question=score` pairs separated by `,` `;` `，` `；` or `、` (`:` `：` also separate
    /// question from score; spaces are ignored, keys are lower-cased). Scores and keys are checked
    /// later, by the schema and the policy document.
    public static func parse(_ text: String) -> Result<[String: Int64], ParseProblem> {
        let separators: Set<Character> = [",", ";", "，", "；", "、", "\n"]
        var answers: [String: Int64] = [:]
        for part in text.split(whereSeparator: { separators.contains($0) }) {
            let pair = part.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == ":" || $0 == "：" })
            let key = pair.first.map { String($0).trimmed.lowercased() } ?? ""
            guard pair.count == 2, !key.isEmpty else {
                if String(part).trimmed.isEmpty { continue }
                return .failure(.notAPair(String(part).trimmed))
            }
            let scoreText = String(pair[1]).trimmed
            guard let score = Int64(scoreText) else { return .failure(.notANumber(question: key, text: scoreText)) }
            guard answers.updateValue(score, forKey: key) == nil else { return .failure(.repeated(key)) }
        }
        return .success(answers)
    }

    /// The JSON value of answers (an object).
    public static func value(_ answers: [String: Int64]) -> JSONValue { .object(answers.mapValues { .int($0) }) }

    /// The scores of a `survey` value, `[:]` when it is not an object of whole numbers.
    public static func answers(of value: JSONValue?) -> [String: Int64] {
        guard case .object(let members)? = value else { return [:] }
        return members.compactMapValues(\.intValue)
    }

    /// `question=score` pairs in key order joined by `"; "`, as in CSV cells and `show`.
    public static func text(of value: JSONValue?) -> String {
        answers(of: value).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }
}

extension String {
    fileprivate var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
