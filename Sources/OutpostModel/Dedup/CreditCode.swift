/// The 18-character unified social credit code (统一社会信用代码) of a Chinese organisation,
/// checked as GB 32100-2015 specifies: 17 characters from the code alphabet and a check character.
///
/// ```swift
/// CreditCode("91350100M000100Y43")?.text   // "91350100M000100Y43"
/// CreditCode.validate("91350100M000100Y44")  // .wrongCheckCharacter(expected: "3")
/// ```
public struct CreditCode: Sendable, Hashable, CustomStringConvertible {
    /// The code in upper case.
    public let text: String

    /// The 31 characters a code may use: digits and upper-case letters except I, O, Z, S and V.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// The weight of each of the first 17 positions (3^i mod 31).
    static let weights: [Int] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// Why a text is not a valid credit code.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not 18 characters long.
        case wrongLength(Int)
        /// A character outside the code alphabet, at a 1-based position.
        case invalidCharacter(Character, position: Int)
        /// The 18th character does not match the first 17.
        case wrongCheckCharacter(expected: Character)

        public var description: String {
            switch self {
            case .wrongLength(let count):
                return "A unified social credit code has 18 characters; this one has \(count)."
            case .invalidCharacter(let character, let position):
                return "Character \(position) ('\(character)') cannot appear in a unified social credit code (I, O, Z, S and V are never used)."
            case .wrongCheckCharacter(let expected):
                return "The last character should be '\(expected)': the code is mistyped."
            }
        }
    }

    /// A valid code, read case-insensitively with surrounding spaces ignored; `nil` when invalid.
    public init?(_ text: String) {
        guard case .success(let code) = Self.parse(text) else { return nil }
        self = code
    }

    private init(checked text: String) { self.text = text }

    /// Checks a code, saying what is wrong with it.
    public static func validate(_ text: String) -> Problem? {
        if case .failure(let problem) = parse(text) { return problem }
        return nil
    }

    /// Parses and checks a code.
    public static func parse(_ text: String) -> Result<CreditCode, Problem> {
        let characters = Array(text.trimmingSpaces().uppercased())
        guard characters.count == 18 else { return .failure(.wrongLength(characters.count)) }
        var sum = 0
        for (index, character) in characters.enumerated() {
            guard let value = alphabet.firstIndex(of: character) else {
                return .failure(.invalidCharacter(character, position: index + 1))
            }
            if index < 17 { sum += value * weights[index] }
        }
        let expected = alphabet[(31 - sum % 31) % 31]
        guard characters[17] == expected else { return .failure(.wrongCheckCharacter(expected: expected)) }
        return .success(CreditCode(checked: String(characters)))
    }

    public var description: String { text }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (ASCII and ideographic).
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{3000}" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
