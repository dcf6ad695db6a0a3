import Foundation

/// Normalised keys that find the same customer written two ways (查重): one company name typed
/// with full-width letters, another legal suffix or other spacing; one phone number written with
/// `+86`, a trunk `0` or dashes. Pure functions, used alike by the CLI, apps and the server.
///
/// ```swift
/// MatchKeys.name("北京华联（集团）有限公司") == MatchKeys.name("北京华联")   // true
/// MatchKeys.name("ACME Trading Co., Ltd.") == MatchKeys.name("acme trading")  // true
/// MatchKeys.phone("+86 138-0013-8000") == MatchKeys.phone("13800138000")       // true
/// ```
public enum MatchKeys {
    /// Legal-form suffixes in Chinese, longest first, removed from the end of a name repeatedly.
    static let chineseSuffixes = ["股份有限公司", "有限责任公司", "有限公司", "集团"]
    /// Legal-form words in Latin script, removed from the end of a name repeatedly.
    static let latinSuffixes: Set<String> = ["co", "ltd", "inc", "limited", "corp", "corporation", "company", "llc", "group"]

    /// The match key of a company or person name: compatibility-normalised (full-width to
    /// half-width), lower-cased, legal suffixes removed, spaces and punctuation dropped.
    /// Empty when nothing distinctive is left.
    public static func name(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        // Split into words at spaces and punctuation so Latin suffixes are removed as whole words.
        var words: [String] = []
        var current = ""
        for scalar in folded.unicodeScalars {
            if isSeparator(scalar) {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        while words.count > 1, let last = words.last, latinSuffixes.contains(last) { words.removeLast() }
        var key = words.joined()
        var removed = true
        while removed {
            removed = false
            for suffix in chineseSuffixes where key.hasSuffix(suffix) && key.count > suffix.count {
                key.removeLast(suffix.count)
                removed = true
            }
        }
        return key
    }

    /// The search key of a name, for prefix and substring search: compatibility-normalised
    /// (full-width to half-width), lower-cased, spaces and punctuation dropped (legal suffixes
    /// kept, unlike ``name(_:)``). A search text is folded the same way, so `"华联 集团"` finds
    /// `"北京华联（集团）"` and `"ACME tr"` finds `"Acme Trading"`. Noncharacters (such as
    /// U+10FFFF, which bounds prefix ranges) are dropped too.
    ///
    /// ```swift
    /// MatchKeys.searchKey("ＡＣＭＥ Trading Co., Ltd.")   // "acmetradingcoltd"
    /// ```
    public static func searchKey(_ text: String) -> String {
        // ASCII (most Latin names) needs no normalisation: a table says which bytes stay.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for byte in text.utf8 where asciiKept[Int(byte)] {
                bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var key = ""
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars
        where !isSeparator(scalar) && !scalar.properties.isNoncharacterCodePoint {
            key.unicodeScalars.append(scalar)
        }
        return key
    }

    /// For each ASCII byte: `true` when a search key keeps it (not a separator).
    static let asciiKept: [Bool] = (0..<128).map { !isSeparator(Unicode.Scalar(UInt8($0))) }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isWhitespace { return true }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// The match key of a Chinese phone number: digits only, without the country code (`+86`,
    /// `0086`) or the trunk `0` of an area code. A mobile number keeps its 11 digits
    /// (`13800138000`); a landline keeps area code and number (`1062345678` for `010-6234 5678`).
    /// `nil` when fewer than 5 digits remain.
    public static func phone(_ text: String) -> PhoneKey? {
        var digits = String(text.precomposedStringWithCompatibilityMapping.unicodeScalars
            .filter { $0.properties.numericType == .decimal }.compactMap { $0.properties.numericValue.map { Character(String(Int($0))) } })
        let hadCountryCode = text.contains("+") || digits.hasPrefix("0086")
        if digits.hasPrefix("0086") {
            digits.removeFirst(4)
        } else if hadCountryCode, digits.hasPrefix("86") {
            digits.removeFirst(2)
        } else if digits.count == 13, digits.hasPrefix("861") {
            digits.removeFirst(2)
        }
        if digits.count == 11, digits.hasPrefix("1") { return PhoneKey(digits: digits, hasAreaCode: true) }
        let hadTrunkZero = digits.hasPrefix("0")
        while digits.hasPrefix("0") { digits.removeFirst() }
        guard digits.count >= 5 else { return nil }
        return PhoneKey(digits: digits, hasAreaCode: hadTrunkZero || hadCountryCode || digits.count > 8)
    }
}

/// A normalised phone number (see ``MatchKeys/phone(_:)``).
public struct PhoneKey: Sendable, Hashable, CustomStringConvertible {
    /// The national digits: mobile number, or area code and landline number.
    public let digits: String
    /// `false` for a landline written without its area code (7–8 digits).
    public let hasAreaCode: Bool

    /// Whether two numbers are the same line: equal keys, or a number without area code that
    /// ends the other one (`6234 5678` and `010-6234 5678`).
    public func matches(_ other: PhoneKey) -> Bool {
        if digits == other.digits { return true }
        if hasAreaCode == other.hasAreaCode { return false }
        let (local, full) = hasAreaCode ? (other.digits, digits) : (digits, other.digits)
        return full.count - local.count >= 2 && full.count - local.count <= 3 && full.hasSuffix(local)
    }

    public var description: String { digits }
}
