import Testing
import OutpostClient
import OutpostModel

/// The two catalogues: the same keys, the same placeholders, and a key for every name the CLI builds.
@Suite("Catalogues: Chinese and English")
struct LocalizationTests {
    @Test func everyKeyIsInBothCatalogues() {
        let english = Set(Catalogue.english.keys), chinese = Set(Catalogue.chinese.keys)
        #expect(english.subtracting(chinese).sorted() == [], "missing in Chinese")
        #expect(chinese.subtracting(english).sorted() == [], "missing in English")
        #expect(english.count > 300)
    }

    @Test func placeholdersMatchInBothLanguages() {
        for (key, english) in Catalogue.english {
            guard let chinese = Catalogue.chinese[key] else { continue }
            #expect(Catalogue.placeholders(in: english) == Catalogue.placeholders(in: chinese), "\(key)")
        }
    }

    /// Every error code of SPEC §13 has a sentence saying what happened and what to do.
    @Test func everyServerErrorCodeHasASentence() {
        let codes = ["forbidden", "invalid_record", "record_mismatch", "node_reused", "dot_reused", "recovery_required",
                     "scope_changed", "clock_ahead", "record_too_large", "unauthorized", "batch_reused", "lease_reused",
                     "invalid_request", "malformed_json", "invalid_cursor", "not_found", "unsupported_protocol", "internal"]
        for code in codes {
            #expect(Catalogue.english["refusal.\(code)"] != nil, "\(code)")
            #expect(Catalogue.chinese["refusal.\(code)"] != nil, "\(code)")
        }
    }

    @Test func countedPhrasesHaveBothForms() {
        for key in Catalogue.english.keys where key.hasSuffix(".one") {
            let other = key.dropLast(4) + ".other"
            #expect(Catalogue.english[String(other)] != nil, "\(key)")
            #expect(Catalogue.placeholders(in: Catalogue.english[key]!).contains("count"), "\(key)")
        }
    }

    @Test func chineseTextIsChinese() {
        // Words that must be translated, not copied: at least one CJK character in each sentence-like entry.
        let untranslated = Catalogue.chinese.filter { key, text in
            Catalogue.english[key] == text && text.contains(where: { $0.isLetter && $0.isASCII })
                && text.split(separator: " ").count > 2
        }.keys.sorted()
        #expect(untranslated == [])
    }

    @Test func keysBuiltFromTheModelExist() {
        var keys: [String] = []
        for type in EntityType.allCases {
            keys += ["entity.\(type.rawValue)", "entity.\(type.rawValue).plural", "help.\(type.rawValue).abstract",
                     "help.\(type.rawValue).add", "help.\(type.rawValue).add.discussion"]
            for field in EntitySchema.for(type).fields {
                keys.append("fieldLabel.\(field.name)")
                if case .reference = field.kind { continue }
                keys.append("field.\(type.rawValue).\(field.name)")
            }
        }
        keys += Role.allCases.map { "init.role.\($0.rawValue)" }
        keys += ReplicaPreference.allCases.map { "config.set.\($0.rawValue)" }
        for key in keys {
            #expect(Catalogue.english[key] != nil && Catalogue.chinese[key] != nil, "\(key)")
        }
    }

    @Test func localizerFillsPlaceholdersAndCounts() {
        let zh = Localizer(.chinese), en = Localizer(.english)
        #expect(en("record.restored", ["label": "customer C-1 “北京华联”"]) == "Restored customer C-1 “北京华联”.")
        #expect(zh("record.restored", ["label": "客户 C-1“北京华联”"]) == "已恢复 客户 C-1“北京华联”。")
        #expect(en.count("unit.record", 1) == "1 record")
        #expect(en.count("unit.record", 3) == "3 records")
        #expect(zh.count("unit.record", 3) == "3 条记录")
        #expect(en("no.such.key") == "no.such.key")
    }

    @Test(arguments: [
        (["LANG": "zh_CN.UTF-8"], Language.chinese),
        (["LANG": "en_US.UTF-8"], .english),
        (["LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"], .chinese),
        (["LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"], .english),
        (["LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"], .chinese),
        (["LANG": "C"], .english),
    ])
    func languageComesFromTheLocaleVariables(environment: [String: String], expected: Language) {
        #expect(Language.fromEnvironment(environment) == expected)
    }

    @Test func otherLanguagesAndNoLocaleGiveNoLanguage() {
        #expect(Language.fromEnvironment([:]) == nil)
        #expect(Language.fromEnvironment(["LANG": "fr_FR.UTF-8"]) == nil)
        #expect(Language(code: "zh-Hans") == .chinese)
    }
}
