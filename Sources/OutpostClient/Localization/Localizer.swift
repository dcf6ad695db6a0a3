/// Looks up user-facing text by key in the catalogue of one language and fills in its
/// `{placeholders}`. Field values are passed in as arguments and never translated.
///
/// ```swift
/// let l = Localizer(.chinese)
/// l("sync.summary", ["pushed": 3, "pulled": 5])    // "已发送 3 条，已接收 5 条。"
/// l.count("unit.record", 2)                       // "2 条记录"
/// ```
public struct Localizer: Sendable, Hashable {
    /// The language text is looked up in.
    public let language: Language

    /// Text in `language`.
    public init(_ language: Language) {
        self.language = language
    }

    /// The text for `key` with each `{name}` replaced by `arguments[name]`. A key missing from the
    /// language's catalogue falls back to English, then to the key itself (a test keeps both complete).
    public func callAsFunction(_ key: String, _ arguments: KeyValuePairs<String, Any> = [:]) -> String {
        let template = Catalogue.entries(for: language)[key] ?? Catalogue.english[key] ?? key
        return Self.fill(template, arguments)
    }

    /// A counted phrase: the key's `.one` form for 1, its `.other` form otherwise, with `{count}` filled in.
    ///
    /// Usage: `l.count("unit.record", 1)` → `"1 record"`.
    public func count(_ key: String, _ count: Int, _ arguments: KeyValuePairs<String, Any> = [:]) -> String {
        var all: [(String, Any)] = [("count", count)]
        for (name, value) in arguments { all.append((name, value)) }
        let template = Catalogue.entries(for: language)[key + (count == 1 ? ".one" : ".other")]
            ?? Catalogue.english[key + (count == 1 ? ".one" : ".other")] ?? key
        return Self.fill(template, all)
    }

    static func fill(_ template: String, _ arguments: some Sequence<(String, Any)>) -> String {
        var text = template
        for (name, value) in arguments {
            text = text.replacingOccurrences(of: "{\(name)}", with: String(describing: value))
        }
        return text
    }

    static func fill(_ template: String, _ arguments: KeyValuePairs<String, Any>) -> String {
        fill(template, arguments.map { ($0.key, $0.value) })
    }
}

/// The user-facing text of Outpost, one catalogue per ``Language``, keyed alike. Apps linking
/// OutpostClient use the same words as the `outpost` command through ``Localizer``.
///
/// ```swift
/// let missing = Set(Catalogue.english.keys).subtracting(Catalogue.chinese.keys)   // always empty
/// ```
public enum Catalogue {
    /// The catalogue of `language`.
    public static func entries(for language: Language) -> [String: String] {
        switch language {
        case .english: return english
        case .chinese: return chinese
        }
    }

    /// The `{name}` placeholders used in `template`.
    ///
    /// Usage: `Catalogue.placeholders(in: "Pushed {pushed}")` → `["pushed"]`.
    public static func placeholders(in template: String) -> Set<String> {
        var names = Set<String>()
        var current: String?
        for character in template {
            if character == "{" {
                current = ""
            } else if character == "}", let name = current {
                if !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.insert(name) }
                current = nil
            } else if current != nil {
                current!.append(character)
            }
        }
        return names
    }
}
