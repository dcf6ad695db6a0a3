/// The languages Outpost speaks to people in.
///
/// ```swift
/// let language = Language(code: "zh_CN.UTF-8")                        // .chinese
/// let fromShell = Language.fromEnvironment(["LANG": "en_US.UTF-8"])   // .english
/// ```
public enum Language: String, Sendable, CaseIterable, Hashable {
    /// English.
    case english = "en"
    /// Simplified Chinese.
    case chinese = "zh"

    /// The language of a code such as `zh`, `zh_CN.UTF-8`, `zh-Hans`, `en`, `en_GB` or `C`;
    /// `nil` for other languages.
    public init?(code: String) {
        let lower = code.trimmingCharacters(in: .whitespaces).lowercased()
        let base = lower.split(whereSeparator: { "_-.@".contains($0) }).first.map(String.init) ?? lower
        switch base {
        case "zh", "chinese", "中文": self = .chinese
        case "en", "english", "c", "posix": self = .english
        default: return nil
        }
    }

    /// The language the POSIX locale variables ask for: the first set of `LC_ALL`, `LC_MESSAGES`
    /// and `LANG` decides (as `setlocale` does); `nil` when none is set or it names another language.
    public static func fromEnvironment(_ environment: [String: String]) -> Language? {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[name], !value.isEmpty { return Language(code: value) }
        }
        return nil
    }
}
