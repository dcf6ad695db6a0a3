import OutpostArguments
import OutpostClient
import OutpostModel

/// The declaration of every `outpost` command, in the user's language. Field options are
/// generated from the entity schemas, so `--help` always lists the fields the model accepts.
enum CommandTree {
    static func exitCodes(_ l: Localizer) -> String { l("help.exitCodes") }

    static func root(_ l: Localizer) -> CommandSpec {
        var lang = OptionSpec("lang", help: l("help.option.lang"), valueName: "zh|en", isInherited: true)
        lang.choices = Language.allCases.map(\.rawValue)
        let configKey = ArgumentSpec("key", help: l("help.config.key"))
        let shell = ArgumentSpec("shell", help: l("help.completion.shell"))
        return CommandSpec(
            name: "outpost",
            abstract: l("help.root.abstract"),
            discussion: l("help.root.discussion", ["exitCodes": exitCodes(l), "verbs": verbList(l)]),
            options: [
                OptionSpec("db", help: l("help.option.db"), valueName: "path", isInherited: true),
                lang,
            ],
            flags: [
                FlagSpec("json", help: l("help.flag.json"), isInherited: true),
                FlagSpec("verbose", help: l("help.flag.verbose"), isInherited: true),
            ],
            subcommands: [
                CommandSpec(
                    name: "init", abstract: l("help.init.abstract"), discussion: l("help.init.discussion"),
                    options: [
                        OptionSpec("server", help: l("help.init.server"), valueName: "url", isRequired: true),
                        OptionSpec("token", help: l("help.init.token"), valueName: "token"),
                        OptionSpec("token-file", help: l("help.init.tokenFile"), valueName: "path"),
                    ]),
                CommandSpec(
                    name: "doctor", abstract: l("help.doctor.abstract"), discussion: l("help.doctor.discussion"),
                    flags: [FlagSpec("repair", help: l("help.doctor.repair"))]),
                CommandSpec(name: "status", abstract: l("help.status.abstract")),
                CommandSpec(name: "sync", abstract: l("help.sync.abstract"),
                            discussion: l("help.sync.discussion") + "\n\n" + exitCodes(l)),
                CommandSpec(name: "conflicts", abstract: l("help.conflicts.abstract"), discussion: l("help.conflicts.discussion")),
                CommandSpec(
                    name: "resolve", abstract: l("help.resolve.abstract"), discussion: l("help.resolve.discussion"),
                    arguments: [ArgumentSpec("record", help: l("help.resolve.record"))],
                    options: [
                        OptionSpec("field", help: l("help.resolve.field"), valueName: "name"),
                        OptionSpec("pick", help: l("help.resolve.pick"), valueName: "n"),
                        OptionSpec("value", help: l("help.resolve.value"), valueName: "text"),
                    ],
                    flags: [
                        FlagSpec("restore", help: l("help.resolve.restore")),
                        FlagSpec("delete", help: l("help.resolve.delete")),
                    ]),
                entityGroup(.customer, l),
                entityGroup(.contact, l),
                entityGroup(.visit, l),
                entityGroup(.complaint, l),
                CommandSpec(
                    name: "config", abstract: l("help.config.abstract"), discussion: l("help.config.discussion"),
                    subcommands: [
                        CommandSpec(name: "list", abstract: l("help.config.list")),
                        CommandSpec(name: "get", abstract: l("help.config.get"), arguments: [configKey]),
                        CommandSpec(name: "set", abstract: l("help.config.set"),
                                    arguments: [configKey, ArgumentSpec("value", help: l("help.config.value"))]),
                        CommandSpec(name: "unset", abstract: l("help.config.unset"), arguments: [configKey]),
                    ]),
                CommandSpec(name: "completion", abstract: l("help.completion.abstract"),
                            discussion: l("help.completion.discussion"), arguments: [shell]),
                ScopeCommands.setAsideSpec(l),
                ScopeCommands.userSpec(l),
            ] + PolicyCommandTree.commands(l) + ImportExportCommands.specs(l))
    }

    static func tool(_ l: Localizer) -> CommandLineTool {
        CommandLineTool(root: root(l), strings: helpStrings(l))
    }

    /// The parser's own words in the user's language.
    static func helpStrings(_ l: Localizer) -> HelpStrings {
        var strings = HelpStrings()
        strings.overview = l("help.section.overview")
        strings.usage = l("help.section.usage")
        strings.arguments = l("help.section.arguments")
        strings.options = l("help.section.options")
        strings.subcommands = l("help.section.subcommands")
        strings.helpFlag = l("help.flag.help")
        strings.canBeRepeated = l("help.note.repeatable")
        strings.defaultValue = { l("help.note.default", ["value": $0]) }
        strings.seeSubcommandHelp = { l("help.note.subcommandHelp", ["command": $0]) }
        strings.errorLabel = l("error.label")
        strings.usageLabel = l("error.usage")
        strings.seeMoreInformation = { l("error.seeHelp", ["command": $0]) }
        strings.describe = { describe($0, l) }
        return strings
    }

    /// A usage error in the user's language.
    static func describe(_ error: ArgumentError, _ l: Localizer) -> String {
        let didYouMean = { (suggestion: String?) in suggestion.map { l("argument.didYouMean", ["suggestion": $0]) } ?? "" }
        switch error {
        case .unknownOption(let name, let suggestion):
            return l("argument.unknownOption", ["option": name]) + didYouMean(suggestion)
        case .missingValue(let option, let valueName):
            return l("argument.missingValue", ["option": option, "value": valueName])
        case .missingRequiredOption(let option, let valueName):
            return l("argument.missingOption", ["option": option, "value": valueName])
        case .missingRequiredArgument(let name):
            return l("argument.missingArgument", ["argument": name])
        case .unexpectedArgument(let word):
            return l("argument.unexpected", ["word": word])
        case .unknownSubcommand(let word, let command, let suggestion):
            return l("argument.unknownSubcommand", ["word": word, "command": command]) + didYouMean(suggestion)
        case .missingSubcommand(let command, let available):
            return l("argument.missingSubcommand", ["command": command, "available": available.joined(separator: ", ")])
        case .invalidValue(let name, let value, let reason):
            return l("argument.invalidValue", ["name": name, "value": value, "reason": reason])
        case .flagDoesNotTakeValue(let flag):
            return l("argument.flagValue", ["flag": flag])
        case .helpRequested(let text):
            return text
        }
    }

    /// Every verb of the record commands, for the root help: `customer   add edit list show delete restore`.
    static func verbList(_ l: Localizer) -> String {
        EntityType.allCases.map { type in
            "  " + type.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                + ([addCommand(type)] + ["edit", "list", "show", "delete", "restore"]
                    + (type == .customer ? MergeCommand.specs(l).map(\.name) : [])).joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// The name of the command that creates records of `type`.
    static func addCommand(_ type: EntityType) -> String {
        switch type {
        case .customer, .contact: return "add"
        case .visit: return "log"
        case .complaint: return "open"
        }
    }

    static func recordArgument(_ l: Localizer) -> ArgumentSpec { ArgumentSpec("record", help: l("help.record.argument")) }
    static func customerOption(_ l: Localizer) -> OptionSpec {
        OptionSpec("customer", help: l("help.record.customer"), valueName: "customer")
    }

    static func entityGroup(_ type: EntityType, _ l: Localizer) -> CommandSpec {
        let schema = EntitySchema.for(type)
        let entity = type.rawValue
        let noun = l("entity.\(entity)")
        let plural = l("entity.\(entity).plural")
        var addOptions = fieldOptions(schema, forAdd: true, l)
        if type != .customer {
            var option = customerOption(l)
            option.isRequired = true
            addOptions.insert(option, at: 0)
        }
        var listOptions: [OptionSpec] = []
        var listFlags: [FlagSpec] = [FlagSpec("deleted", help: l("help.list.deleted", ["things": plural]))]
        switch type {
        case .customer:
            listOptions = [
                OptionSpec("tier", help: l("help.list.tier", ["tiers": EntitySchema.tiers.joined(separator: ", ")]), valueName: "tier"),
                OptionSpec("owner", help: l("help.list.owner"), valueName: "user"),
            ]
            listFlags.append(FlagSpec("due", help: l("help.list.due")))
        case .complaint:
            listOptions = [customerOption(l)]
            listFlags.append(FlagSpec("open", help: l("help.list.open")))
            listFlags.append(FlagSpec("overdue", help: l("help.list.overdue")))
        case .contact, .visit:
            listOptions = [customerOption(l)]
        }
        let subcommands = [
            CommandSpec(name: addCommand(type), abstract: l("help.\(entity).add"), discussion: l("help.\(entity).add.discussion"),
                        options: addOptions, flags: type == .customer ? [MergeCommand.forceFlag(l)] : []),
            CommandSpec(
                name: "edit", abstract: l("help.edit.abstract", ["thing": noun]),
                discussion: type == .visit ? l("help.time.input") : nil,
                arguments: [recordArgument(l)],
                options: fieldOptions(schema, forAdd: false, l) + [
                    OptionSpec("clear", help: l("help.edit.clear"), valueName: "field", isRepeatable: true),
                ]),
            CommandSpec(name: "list", abstract: l("help.list.abstract", ["things": plural]), options: listOptions, flags: listFlags),
            CommandSpec(name: "show", abstract: l("help.show.abstract", ["thing": noun]),
                        discussion: type == .customer ? l("help.customer.show.discussion") : nil,
                        arguments: [recordArgument(l)]),
            CommandSpec(name: "delete", abstract: l("help.delete.abstract", ["thing": noun]), arguments: [recordArgument(l)]),
            CommandSpec(name: "restore", abstract: l("help.restore.abstract", ["thing": noun]), arguments: [recordArgument(l)]),
        ]
        return CommandSpec(name: entity, abstract: l("help.\(entity).abstract"),
                           subcommands: subcommands + (type == .customer ? [ScopeCommands.reassignSpec(l)] + MergeCommand.specs(l) : []))
    }

    /// Options for the fields of `schema`, named after them (`annualPurchase` → `--annual-purchase`).
    /// The `customer` reference is left out: it is given as `--customer` by id or code.
    static func fieldOptions(_ schema: EntitySchema, forAdd: Bool, _ l: Localizer) -> [OptionSpec] {
        schema.fields.compactMap { field -> OptionSpec? in
            if case .reference = field.kind { return nil }
            var defaultValue: String?
            if forAdd && schema.type == .complaint {
                if field.name == "status" { defaultValue = "open" }
                if field.name == "receivedAt" { defaultValue = "now" }
            }
            let isPhones: Bool
            if case .phoneList = field.kind { isPhones = true } else { isPhones = false }
            let summary = l("field.\(schema.type.rawValue).\(field.name)")
            return OptionSpec(
                FieldInput.optionName(for: field.name),
                help: summary + l("help.field.separator") + FieldInput.expectation(field.kind, l)
                    + (isPhones ? l("help.field.phones") : "") + l("help.field.end"),
                valueName: FieldInput.valueName(field.kind),
                // A new customer's code is issued from the device's leased block unless typed.
                isRequired: forAdd && field.required && defaultValue == nil && !(schema.type == .customer && field.name == "code"),
                isRepeatable: isPhones,
                defaultValue: defaultValue)
        }
    }
}
