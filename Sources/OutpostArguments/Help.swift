extension CommandSpec {
    /// The one-line usage of the command at `path`, e.g.
    /// `outpost customer add <name> --code <code> [--phone <phone> ...] [--json]`.
    ///
    /// `path` may start with the root's name (as in ``ParsedCommand/path``) or omit it. Names that do
    /// not resolve are ignored from that point on, so the usage of the deepest valid command is returned.
    ///
    /// Usage: `print("USAGE: " + root.usage(for: ["outpost", "customer", "add"]))`
    public func usage(for path: [String]) -> String {
        usage(forChain: chain(for: path))
    }

    /// The full `--help` text of the command at `path`: `OVERVIEW:`, `USAGE:`, `ARGUMENTS:`,
    /// `OPTIONS:` (always including `-h, --help`) and `SUBCOMMANDS:` sections with aligned columns.
    ///
    /// `path` is interpreted as in ``usage(for:)``.
    ///
    /// `strings` gives the section titles and notes (English by default).
    ///
    /// Usage: `print(root.helpText(for: ["customer"]))`
    public func helpText(for path: [String], strings: HelpStrings = .english) -> String {
        helpText(forChain: chain(for: path), strings: strings)
    }

    /// The commands from this root down along `path`, stopping at the first name that does not resolve.
    func chain(for path: [String]) -> [CommandSpec] {
        var names = path[...]
        if names.first == name && subcommand(named: name) == nil { names = names.dropFirst() }
        var chain = [self]
        for name in names {
            guard let next = chain[chain.count - 1].subcommand(named: name) else { break }
            chain.append(next)
        }
        return chain
    }

    /// Options accepted by the last command of `chain`: its own, then inherited ones from nearest ancestor up.
    static func acceptedOptions(_ chain: [CommandSpec]) -> [OptionSpec] {
        var seen = Set<String>()
        var result: [OptionSpec] = []
        for (depth, command) in chain.enumerated().reversed() {
            for option in command.options where (depth == chain.count - 1 || option.isInherited) {
                if seen.insert(option.name).inserted { result.append(option) }
            }
        }
        return result
    }

    /// Flags accepted by the last command of `chain`, ordered like ``acceptedOptions(_:)``.
    static func acceptedFlags(_ chain: [CommandSpec]) -> [FlagSpec] {
        var seen = Set<String>()
        var result: [FlagSpec] = []
        for (depth, command) in chain.enumerated().reversed() {
            for flag in command.flags where (depth == chain.count - 1 || flag.isInherited) {
                if seen.insert(flag.name).inserted { result.append(flag) }
            }
        }
        return result
    }

    func usage(forChain chain: [CommandSpec]) -> String {
        let command = chain[chain.count - 1]
        var parts = chain.map(\.name)
        for argument in command.arguments {
            var text = "<\(argument.name)>"
            if argument.isVariadic { text += " ..." }
            parts.append(argument.isOptional ? "[\(text)]" : text)
        }
        for option in Self.acceptedOptions(chain) {
            var text = "--\(option.name) <\(option.valueName)>"
            if option.isRepeatable { text += " ..." }
            parts.append(option.isRequired && option.defaultValue == nil ? text : "[\(text)]")
        }
        for flag in Self.acceptedFlags(chain) {
            parts.append("[--\(flag.name)]")
        }
        if !command.subcommands.isEmpty {
            parts.append(command.runsWithoutSubcommand ? "[<subcommand>]" : "<subcommand>")
        }
        return parts.joined(separator: " ")
    }

    func helpText(forChain chain: [CommandSpec], strings: HelpStrings = .english) -> String {
        let command = chain[chain.count - 1]

        var argumentRows: [(String, String)] = []
        for argument in command.arguments {
            argumentRows.append(("<\(argument.name)>" + (argument.isVariadic ? " ..." : ""), argument.help))
        }

        var optionRows: [(String, String)] = []
        for option in Self.acceptedOptions(chain) {
            let label = (option.short.map { "-\($0), " } ?? "") + "--\(option.name) <\(option.valueName)>"
            var notes: [String] = []
            if option.isRepeatable { notes.append(strings.canBeRepeated) }
            if let defaultValue = option.defaultValue { notes.append(strings.defaultValue(defaultValue)) }
            let help = ([option.help] + notes.map { "(\($0))" }).filter { !$0.isEmpty }.joined(separator: " ")
            optionRows.append((label, help))
        }
        for flag in Self.acceptedFlags(chain) {
            optionRows.append(((flag.short.map { "-\($0), " } ?? "") + "--\(flag.name)", flag.help))
        }
        optionRows.append(("-h, --help", strings.helpFlag))

        let subcommandRows = command.subcommands.map { ($0.name, $0.abstract) }

        let allLabels = (argumentRows + optionRows + subcommandRows).map(\.0.count)
        let column = min(allLabels.max() ?? 0, 28) + 4   // two spaces indent, two spaces gap

        func render(_ rows: [(String, String)]) -> [String] {
            rows.map { label, help in
                let line = "  " + label
                if help.isEmpty { return line }
                if line.count + 2 > column {
                    return line + "\n" + String(repeating: " ", count: column) + help
                }
                return line + String(repeating: " ", count: column - line.count) + help
            }
        }

        var sections: [String] = []
        if !command.abstract.isEmpty { sections.append(HelpStrings.labelled(strings.overview, command.abstract)) }
        if let discussion = command.discussion, !discussion.isEmpty { sections.append(discussion) }
        sections.append(HelpStrings.labelled(strings.usage, usage(forChain: chain)))
        if !argumentRows.isEmpty {
            sections.append(([strings.arguments] + render(argumentRows)).joined(separator: "\n"))
        }
        sections.append(([strings.options] + render(optionRows)).joined(separator: "\n"))
        if !subcommandRows.isEmpty {
            let helpPath = ([chain[0].name, "help"] + chain.dropFirst().map(\.name)).joined(separator: " ")
            sections.append(([strings.subcommands] + render(subcommandRows)).joined(separator: "\n")
                + "\n\n  " + strings.seeSubcommandHelp(helpPath))
        }
        return sections.joined(separator: "\n\n")
    }
}
