import OutpostClient
import OutpostJSON
import OutpostTerminal

/// `outpost config list|get|set|unset`: this device's personal settings (language, time zone),
/// kept in the replica and never synced.
struct ConfigCommands {
    let context: Context
    var l: Localizer { context.l }

    func run() throws {
        let replica = try context.openReplica()
        switch context.command.dropFirst().first {
        case "list":
            let values = try replica.preferences()
            if context.json {
                var object: [String: JSONValue] = [:]
                for preference in ReplicaPreference.allCases { object[preference.rawValue] = values[preference].map { .string($0) } ?? .null }
                return context.printJSON(.object(object))
            }
            for preference in ReplicaPreference.allCases {
                let value = values[preference] ?? l("config.notSet", ["effective": effective(preference)])
                context.print("\(DisplayWidth.pad(preference.rawValue, to: 6))\(value)")
            }
        case "get":
            let preference = try key()
            let value = try replica.preference(preference)
            if context.json { return context.printJSON(.object([preference.rawValue: value.map { .string($0) } ?? .null])) }
            context.print(value ?? l("config.notSet", ["effective": effective(preference)]))
        case "set":
            let preference = try key()
            let text = try context.values.require("value")
            let value = try validated(text, for: preference)
            try replica.setPreference(preference, to: value)
            if context.json { return context.printJSON(.object([preference.rawValue: .string(value)])) }
            // Confirm in the language just chosen.
            let words = preference == .language ? Localizer(Language(code: value) ?? l.language) : l
            context.print(words("config.set.\(preference.rawValue)", ["value": value]))
        case "unset":
            let preference = try key()
            try replica.setPreference(preference, to: nil)
            if context.json { return context.printJSON(.object([preference.rawValue: .null])) }
            context.print(l("config.unset", ["key": preference.rawValue]))
        default:
            throw CLIError.usage(l("error.unknownCommand", ["command": context.command.joined(separator: " ")]))
        }
    }

    private func key() throws -> ReplicaPreference {
        let name = try context.values.require("key")
        let aliases: [String: ReplicaPreference] = ["language": .language, "timezone": .timeZone, "time-zone": .timeZone]
        guard let preference = ReplicaPreference(rawValue: name) ?? aliases[name.lowercased()] else {
            throw CLIError.usage(l("config.unknownKey", ["key": name, "keys": ReplicaPreference.allCases.map(\.rawValue).joined(separator: ", ")]))
        }
        return preference
    }

    /// The value to store: a language code (`zh`, `en`) or a known time zone name.
    private func validated(_ text: String, for preference: ReplicaPreference) throws -> String {
        switch preference {
        case .language:
            guard let language = Language(code: text) else { throw CLIError.usage(l("config.badLanguage", ["value": text])) }
            return language.rawValue
        case .timeZone:
            guard let zone = LocalTime.timeZone(named: text) else { throw CLIError.usage(l("config.badTimeZone", ["value": text])) }
            return zone.identifier
        }
    }

    /// What applies when the setting is not stored.
    private func effective(_ preference: ReplicaPreference) -> String {
        switch preference {
        case .language: return l.language.rawValue
        case .timeZone: return context.local.timeZone.identifier
        }
    }
}
