extension CommandSpec {
    /// Parses command-line words (without the executable name) against this root command.
    ///
    /// Rules:
    /// - The first positional word selects a subcommand while the current command has any;
    ///   options may come before or after positionals (`add Acme --code C-1` works).
    /// - `--name value`, `--name=value`, `-n value`, `-nvalue`; short flags group (`-vq`) and count (`-vvv`).
    /// - Options and flags marked `isInherited` are accepted by every descendant command.
    /// - `--` ends option processing; every later word is positional (and never a subcommand).
    /// - `-h`/`--help` anywhere before `--`, or `help <subcommand>...` in subcommand position, throws
    ///   ``ArgumentError/helpRequested(_:)`` with help for the deepest command named.
    /// - A command with subcommands and `runsWithoutSubcommand == false` throws
    ///   ``ArgumentError/missingSubcommand(command:available:)`` when none is named.
    /// - A word that starts with `-` is taken as a value or positional only when it is `-` alone or a
    ///   number such as `-5`; otherwise use `--name=-value` or put it after `--`.
    ///
    /// Usage: `let parsed = try root.parse(Array(CommandLine.arguments.dropFirst()))`
    /// - Throws: ``ArgumentError`` describing the first problem found.
    public func parse(_ arguments: [String]) throws(ArgumentError) -> ParsedCommand {
        switch parseTrackingPath(arguments) {
        case .success(let parsed): return parsed
        case .failure(let failure): throw failure.error
        }
    }

    /// Like ``parse(_:)`` but also reports how far down the command tree parsing got when it failed,
    /// so that usage for the right command can be printed.
    func parseTrackingPath(_ arguments: [String], strings: HelpStrings = .english) -> Result<ParsedCommand, PathedArgumentError> {
        assert(validationProblems.isEmpty, "invalid command declaration:\n" + validationProblems.joined(separator: "\n"))
        var parser = Parser(root: self, words: arguments, strings: strings)
        do {
            return .success(try parser.run())
        } catch {
            return .failure(PathedArgumentError(error: error, path: parser.chain.map(\.name)))
        }
    }
}

/// An ``ArgumentError`` together with the command path that was active when it happened.
struct PathedArgumentError: Error, Sendable {
    var error: ArgumentError
    var path: [String]
}

private struct Parser {
    let root: CommandSpec
    let words: [String]
    let strings: HelpStrings
    var index = 0
    var chain: [CommandSpec]
    var values = ParsedValues()
    var positionals: [String] = []
    var helpSeen = false
    var optionsEnded = false

    init(root: CommandSpec, words: [String], strings: HelpStrings) {
        self.root = root
        self.words = words
        self.strings = strings
        self.chain = [root]
    }

    var current: CommandSpec { chain[chain.count - 1] }
    var pathString: String { chain.map(\.name).joined(separator: " ") }

    // MARK: Lookup, nearest command first; ancestors contribute only inherited declarations.

    func visibleOptions() -> [OptionSpec] {
        var result: [OptionSpec] = []
        for (depth, command) in chain.enumerated().reversed() {
            let isCurrent = depth == chain.count - 1
            result += command.options.filter { isCurrent || $0.isInherited }
        }
        return result
    }

    func visibleFlags() -> [FlagSpec] {
        var result: [FlagSpec] = []
        for (depth, command) in chain.enumerated().reversed() {
            let isCurrent = depth == chain.count - 1
            result += command.flags.filter { isCurrent || $0.isInherited }
        }
        return result
    }

    func suggestLongName(for name: String) -> String? {
        let candidates = visibleOptions().map(\.name) + visibleFlags().map(\.name) + ["help"]
        return suggestion(for: name, among: candidates).map { "--" + $0 }
    }

    /// Whether `word` should be read as an option rather than a value or positional.
    static func looksLikeOption(_ word: String) -> Bool {
        word.hasPrefix("-") && word != "-" && Double(word) == nil
    }

    // MARK: Main loop

    mutating func run() throws(ArgumentError) -> ParsedCommand {
        do {
            try consumeWords()
        } catch {
            if case .helpRequested = error { throw error }
            // `--help` later on the line wins over an earlier mistake.
            let rest = words[min(index, words.count)...].prefix { $0 != "--" }
            if helpSeen || (!optionsEnded && rest.contains { $0 == "-h" || $0 == "--help" }) {
                throw .helpRequested(root.helpText(forChain: chain, strings: strings))
            }
            throw error
        }
        if helpSeen { throw .helpRequested(root.helpText(forChain: chain, strings: strings)) }
        return try finish()
    }

    mutating func consumeWords() throws(ArgumentError) {
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded {
                positionals.append(word)
            } else if word == "--" {
                optionsEnded = true
            } else if word == "--help" || word == "-h" {
                helpSeen = true
            } else if word.hasPrefix("--") {
                try consumeLong(word)
            } else if Self.looksLikeOption(word) {
                try consumeShortGroup(word)
            } else {
                try consumePositional(word)
            }
        }
    }

    mutating func record(_ option: OptionSpec, _ value: String) {
        if option.isRepeatable {
            values.optionValues[option.name, default: []].append(value)
        } else {
            values.optionValues[option.name] = [value]
        }
    }

    /// Takes the next word as an option's value, refusing words that look like options.
    mutating func takeValue(for displayName: String, valueName: String) throws(ArgumentError) -> String {
        guard index < words.count, !Self.looksLikeOption(words[index]) else {
            throw .missingValue(option: displayName, valueName: valueName)
        }
        index += 1
        return words[index - 1]
    }

    mutating func consumeLong(_ word: String) throws(ArgumentError) {
        let body = word.dropFirst(2)
        let name: String
        let inlineValue: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            inlineValue = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
            inlineValue = nil
        }
        if let option = visibleOptions().first(where: { $0.name == name }) {
            if let inlineValue {
                record(option, inlineValue)
            } else {
                record(option, try takeValue(for: "--\(name)", valueName: option.valueName))
            }
        } else if let flag = visibleFlags().first(where: { $0.name == name }) {
            guard inlineValue == nil else { throw .flagDoesNotTakeValue("--\(name)") }
            values.flagCounts[flag.name, default: 0] += 1
        } else {
            throw .unknownOption("--\(name)", suggestion: suggestLongName(for: name))
        }
    }

    mutating func consumeShortGroup(_ word: String) throws(ArgumentError) {
        let characters = Array(word.dropFirst())
        var position = 0
        while position < characters.count {
            let character = characters[position]
            position += 1
            if let option = visibleOptions().first(where: { $0.short == character }) {
                var rest = String(characters[position...])
                if rest.hasPrefix("=") { rest.removeFirst() }
                let value = try rest.isEmpty
                    ? takeValue(for: "-\(character)", valueName: option.valueName)
                    : rest
                record(option, value)
                return
            } else if let flag = visibleFlags().first(where: { $0.short == character }) {
                values.flagCounts[flag.name, default: 0] += 1
            } else if character == "h" {
                helpSeen = true
            } else if position == 1 && characters.count > 1 {
                // Probably a long name written with one dash, like `-json`.
                let name = String(characters).split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                throw .unknownOption(word, suggestion: suggestLongName(for: name))
            } else {
                throw .unknownOption("-\(character)", suggestion: nil)
            }
        }
    }

    mutating func consumePositional(_ word: String) throws(ArgumentError) {
        let command = current
        if !command.subcommands.isEmpty && positionals.isEmpty {
            if let subcommand = command.subcommand(named: word) {
                chain.append(subcommand)
                return
            }
            if word == "help" {
                try showHelpForNamedPath()
            }
            if command.arguments.isEmpty || !command.runsWithoutSubcommand {
                throw .unknownSubcommand(
                    word, command: pathString,
                    suggestion: suggestion(for: word, among: command.subcommands.map(\.name)))
            }
        }
        positionals.append(word)
    }

    /// Handles `help customer add`: walks the following words as subcommand names.
    mutating func showHelpForNamedPath() throws(ArgumentError) {
        while index < words.count, !Self.looksLikeOption(words[index]), words[index] != "--" {
            let name = words[index]
            guard let subcommand = current.subcommand(named: name) else {
                throw .unknownSubcommand(
                    name, command: pathString,
                    suggestion: suggestion(for: name, among: current.subcommands.map(\.name)))
            }
            chain.append(subcommand)
            index += 1
        }
        throw .helpRequested(root.helpText(forChain: chain, strings: strings))
    }

    // MARK: Completion

    mutating func finish() throws(ArgumentError) -> ParsedCommand {
        let command = current
        if !command.subcommands.isEmpty && !command.runsWithoutSubcommand {
            throw .missingSubcommand(command: pathString, available: command.subcommands.map(\.name))
        }

        var remaining = positionals[...]
        for argument in command.arguments {
            values.declaredArguments.insert(argument.name)
            if argument.isVariadic {
                if remaining.isEmpty && !argument.isOptional { throw .missingRequiredArgument(argument.name) }
                values.argumentValues[argument.name] = Array(remaining)
                remaining = []
            } else if let first = remaining.first {
                values.argumentValues[argument.name] = [first]
                remaining = remaining.dropFirst()
            } else if !argument.isOptional {
                throw .missingRequiredArgument(argument.name)
            }
        }
        if let extra = remaining.first { throw .unexpectedArgument(extra) }

        for option in chain.flatMap(\.options) {
            values.declaredOptions[option.name] = option.valueName
            if values.optionValues[option.name] == nil {
                if let defaultValue = option.defaultValue {
                    values.optionValues[option.name] = [defaultValue]
                } else if option.isRequired {
                    throw .missingRequiredOption(option: "--\(option.name)", valueName: option.valueName)
                }
            }
        }
        return ParsedCommand(path: chain.map(\.name), command: command, values: values)
    }
}
