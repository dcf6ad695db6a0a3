/// How many terminal columns text takes, for tables that line up with Chinese, mixed and emoji text.
///
/// Counted per grapheme cluster (what the reader sees as one character):
/// - East Asian Wide and Fullwidth characters (汉字, kana, Hangul, fullwidth forms) take two columns;
/// - emoji shown as pictures (emoji presentation, or an emoji followed by U+FE0F, flags, ZWJ
///   sequences such as 👩‍💻, skin tones) take two;
/// - combining marks, zero-width joiners and other format characters take none;
/// - everything else (including East Asian Ambiguous characters such as `…`) takes one.
///
/// ```swift
/// DisplayWidth.of("北京华联")                       // 8
/// DisplayWidth.truncate("北京华联商厦", to: 7)       // "北京华…"
/// DisplayWidth.pad("C-1", to: 6) + "|"            // "C-1   |"
/// ```
public enum DisplayWidth {
    /// The ellipsis that marks cut text; it takes one column.
    public static let ellipsis: Character = "…"

    /// The columns `text` takes in a terminal. Line breaks and other control characters count zero.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The columns one grapheme cluster takes: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        if scalars.contains("\u{FE0F}") && first.properties.isEmoji { return 2 }
        for scalar in scalars {
            let width = of(scalar)
            if width > 0 { return width }
        }
        return 0
    }

    /// The columns one scalar takes on its own (no emoji sequence rules): 0, 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        // Hangul medial vowels and final consonants join the syllable started by a leading consonant.
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    /// `text` cut to at most `width` columns: whole grapheme clusters only, ending with `…` when
    /// something was cut. Line breaks become spaces so a cell stays on one line.
    public static func truncate(_ text: String, to width: Int) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard of(flat) > width else { return flat }
        guard width > 0 else { return "" }
        var result = ""
        var used = 0
        for character in flat {
            let next = of(character)
            if used + next > width - 1 { break }
            result.append(character)
            used += next
        }
        result.append(ellipsis)
        return result
    }

    /// `text` followed by spaces up to `width` columns (unchanged when it is already as wide).
    public static func pad(_ text: String, to width: Int) -> String {
        let missing = width - of(text)
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }

    /// Code points of East Asian Width W or F (Unicode 15 `EastAsianWidth.txt`); the wide
    /// pictographs are exactly those with emoji presentation, checked apart.
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,    // Hangul Jamo leading consonants
        0x2329...0x232A,    // angle brackets
        0x2E80...0x303E,    // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041...0x33FF,    // Hiragana, Katakana, Bopomofo, Hangul compatibility, Kanbun, CJK strokes, enclosed, compatibility
        0x3400...0x4DBF,    // CJK Extension A
        0x4E00...0x9FFF,    // CJK Unified Ideographs
        0xA000...0xA4CF,    // Yi
        0xA960...0xA97F,    // Hangul Jamo Extended-A
        0xAC00...0xD7A3,    // Hangul syllables
        0xF900...0xFAFF,    // CJK Compatibility Ideographs
        0xFE10...0xFE19,    // Vertical forms
        0xFE30...0xFE6F,    // CJK compatibility forms, small form variants
        0xFF00...0xFF60,    // Fullwidth forms
        0xFFE0...0xFFE6,    // Fullwidth signs
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,   // Tangut, Khitan, Kana supplement
        0x1F200...0x1F2FF,  // Enclosed ideographic supplement
        0x20000...0x2FFFD,  // CJK Extensions B–F
        0x30000...0x3FFFD,  // CJK Extension G and later
    ]
}
