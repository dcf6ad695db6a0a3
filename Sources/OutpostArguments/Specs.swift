/// A command in a command-line tool: its description, positionals, options, flags and subcommands.
///
/// One `CommandSpec` drives both parsing and `--help`, so the two cannot drift apart.
/// Subcommands nest under a root; the root's name is the executable name.
///
/// Usage:
/// ```swift
/// let root = CommandSpec(
///     name: "outpost", abstract: "Offline-first CRM client.",
///     flags: [FlagSpec("json", help: "Print machine-readable JSON.", isInherited: true)],
///     subcommands: [
///         CommandSpec(name: "customer", abstract: "Manage customers.", subcommands: [
///             CommandSpec(name: "add", abstract: "Add a customer.",
///                         arguments: [ArgumentSpec("name", help: "Display name.")],
///                         options: [OptionSpec("code", help: "Customer code.", isRequired: true)]),
///         ]),
///     ])
/// let parsed = try root.parse(["customer", "add", "--code", "C-001", "Acme"])
/// ```
///
/// A command that has subcommands and `runsWithoutSubcommand == false` (the default) cannot be
/// invoked on its own: parsing `outpost customer` throws ``ArgumentError/missingSubcommand(command:available:)``,
/// which ``CommandLineTool`` reports on stderr with exit status 64 so that scripts notice the mistake.
public struct CommandSpec: Sendable {
    /// The word that selects this command on the command line (the executable name for the root).
    ///
    /// Usage: `spec.name   // "add"`
    public var name: String
    /// A one-line summary shown after `OVERVIEW:` and in the parent's `SUBCOMMANDS:` list.
    ///
    /// Usage: `spec.abstract = "Add a customer."`
    public var abstract: String
    /// Longer help text shown below the overview, or `nil` for none.
    ///
    /// Usage: `spec.discussion = "Codes must be unique per workspace."`
    public var discussion: String?
    /// Positional arguments in order. Required ones come first, then optional ones; at most one
    /// may be variadic and it must be last.
    ///
    /// Usage: `spec.arguments = [ArgumentSpec("name")]`
    public var arguments: [ArgumentSpec]
    /// Options that take a value: `--name value`, `--name=value`, `-n value`, `-nvalue`.
    ///
    /// Usage: `spec.options = [OptionSpec("limit", short: "n", defaultValue: "50")]`
    public var options: [OptionSpec]
    /// Boolean switches such as `--json` or `-v`.
    ///
    /// Usage: `spec.flags = [FlagSpec("verbose", short: "v")]`
    public var flags: [FlagSpec]
    /// Nested commands, selected by the first positional word after this command.
    ///
    /// Usage: `spec.subcommands = [add, list]`
    public var subcommands: [CommandSpec]
    /// Whether this command may run without naming a subcommand. Ignored when there are no subcommands.
    ///
    /// Usage: `CommandSpec(name: "sync", abstract: "...", subcommands: [status], runsWithoutSubcommand: true)`
    public var runsWithoutSubcommand: Bool

    /// Creates a command description.
    ///
    /// Usage: `CommandSpec(name: "list", abstract: "List customers.", options: [limit])`
    public init(
        name: String,
        abstract: String,
        discussion: String? = nil,
        arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [],
        flags: [FlagSpec] = [],
        subcommands: [CommandSpec] = [],
        runsWithoutSubcommand: Bool = false
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.flags = flags
        self.subcommands = subcommands
        self.runsWithoutSubcommand = runsWithoutSubcommand
    }

    /// The direct subcommand called `name`, if any.
    ///
    /// Usage: `root.subcommand(named: "customer")?.subcommand(named: "add")`
    public func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// Mistakes in this declaration tree, one sentence each; empty when the tree is well formed.
    ///
    /// Checks duplicate names, reuse of `help`/`-h`, optional positionals before required ones and a
    /// variadic positional that is not last. ``parse(_:)`` asserts this is empty in debug builds.
    ///
    /// Usage: `precondition(root.validationProblems.isEmpty, root.validationProblems.joined(separator: "\n"))`
    public var validationProblems: [String] {
        var problems: [String] = []
        collectProblems(path: [], inheritedLongNames: [], into: &problems)
        return problems
    }

    private func collectProblems(path: [String], inheritedLongNames: Set<String>, into problems: inout [String]) {
        let here = (path + [name]).joined(separator: " ")
        var longNames = Set<String>()
        var shortNames = Set<Character>()
        for name in options.map(\.name) + flags.map(\.name) {
            if name == "help" { problems.append("'\(here)': '--help' is reserved for generated help") }
            if !longNames.insert(name).inserted { problems.append("'\(here)': '--\(name)' is declared twice") }
        }
        for short in options.compactMap(\.short) + flags.compactMap(\.short) {
            if short == "h" { problems.append("'\(here)': '-h' is reserved for generated help") }
            if !shortNames.insert(short).inserted { problems.append("'\(here)': '-\(short)' is declared twice") }
        }
        var seenOptional = false
        var argumentNames = Set<String>()
        for (index, argument) in arguments.enumerated() {
            if !argumentNames.insert(argument.name).inserted {
                problems.append("'\(here)': argument <\(argument.name)> is declared twice")
            }
            if argument.isVariadic && index != arguments.count - 1 {
                problems.append("'\(here)': variadic argument <\(argument.name)> must be the last argument")
            }
            if argument.isOptional { seenOptional = true } else if seenOptional {
                problems.append("'\(here)': required argument <\(argument.name)> follows an optional one")
            }
        }
        var subcommandNames = Set<String>()
        for sub in subcommands where !subcommandNames.insert(sub.name).inserted {
            problems.append("'\(here)': subcommand '\(sub.name)' is declared twice")
        }
        if !subcommands.isEmpty && !arguments.isEmpty && !runsWithoutSubcommand {
            problems.append("'\(here)': positional arguments are only reachable when runsWithoutSubcommand is true")
        }
        let inherited = inheritedLongNames.union(options.filter(\.isInherited).map(\.name))
            .union(flags.filter(\.isInherited).map(\.name))
        for sub in subcommands {
            sub.collectProblems(path: path + [name], inheritedLongNames: inherited, into: &problems)
        }
    }
}

/// A positional argument such as `<name>` or `<files> ...`.
///
/// Usage: `ArgumentSpec("files", help: "Files to import.", isVariadic: true)`
public struct ArgumentSpec: Sendable, Hashable {
    /// The key used to read the value back and the text shown as `<name>` in help.
    ///
    /// Usage: `values.argument(spec.name)`
    public var name: String
    /// One line shown in the `ARGUMENTS:` section.
    ///
    /// Usage: `spec.help = "The customer's display name."`
    public var help: String
    /// Whether the argument may be left out.
    ///
    /// Usage: `ArgumentSpec("note", isOptional: true)`
    public var isOptional: Bool
    /// Whether the argument collects all remaining positionals (at least one unless also optional).
    ///
    /// Usage: `ArgumentSpec("files", isOptional: true, isVariadic: true)`
    public var isVariadic: Bool

    /// Creates a positional argument description; required and single-valued by default.
    ///
    /// Usage: `ArgumentSpec("name", help: "Display name.")`
    public init(_ name: String, help: String = "", isOptional: Bool = false, isVariadic: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.isVariadic = isVariadic
    }
}

/// An option that takes a value: `--code C-001`, `--code=C-001`, `-c C-001` or `-cC-001`.
///
/// A value that itself starts with `-` must be written `--name=-value`. When a non-repeatable
/// option is given more than once, the last value wins.
///
/// Usage: `OptionSpec("phone", short: "p", help: "Phone number.", isRepeatable: true)`
public struct OptionSpec: Sendable, Hashable {
    /// The long name without dashes; also the key for reading the value back.
    ///
    /// Usage: `values.option(spec.name)`
    public var name: String
    /// An optional single-character short name, used as `-c`.
    ///
    /// Usage: `OptionSpec("code", short: "c")`
    public var short: Character?
    /// One line shown in the `OPTIONS:` section.
    ///
    /// Usage: `spec.help = "Customer code."`
    public var help: String
    /// The placeholder shown in help, as in `--code <value-name>`; defaults to ``name``.
    ///
    /// Usage: `OptionSpec("server", valueName: "url")`
    public var valueName: String
    /// Whether parsing fails when the option is absent (and has no default).
    ///
    /// Usage: `OptionSpec("code", isRequired: true)`
    public var isRequired: Bool
    /// Whether every occurrence is kept (read them with `values.options(name)`).
    ///
    /// Usage: `OptionSpec("tag", isRepeatable: true)`
    public var isRepeatable: Bool
    /// The value used when the option is absent; shown in help as `(default: ...)`.
    ///
    /// Usage: `OptionSpec("limit", defaultValue: "50")`
    public var defaultValue: String?
    /// Whether subcommands (at any depth) accept this option too, like a global `--server`.
    ///
    /// Usage: `OptionSpec("server", isInherited: true)`
    public var isInherited: Bool

    /// The values offered by shell completion (empty: any value, file names for `path`).
    ///
    /// Usage: `var lang = OptionSpec("lang", valueName: "language"); lang.choices = ["zh", "en"]`
    public var choices: [String] = []

    /// Creates an option description; optional, single-valued and local by default.
    ///
    /// Usage: `OptionSpec("limit", short: "n", help: "Maximum rows.", valueName: "count", defaultValue: "50")`
    public init(
        _ name: String,
        short: Character? = nil,
        help: String = "",
        valueName: String? = nil,
        isRequired: Bool = false,
        isRepeatable: Bool = false,
        defaultValue: String? = nil,
        isInherited: Bool = false
    ) {
        self.name = name
        self.short = short
        self.help = help
        self.valueName = valueName ?? name
        self.isRequired = isRequired
        self.isRepeatable = isRepeatable
        self.defaultValue = defaultValue
        self.isInherited = isInherited
    }
}

/// A boolean switch such as `--json` or `-v`. Short flags can be grouped (`-vq`) and counted (`-vvv`).
///
/// Usage: `FlagSpec("json", help: "Print JSON.", isInherited: true)`
public struct FlagSpec: Sendable, Hashable {
    /// The long name without dashes; also the key for reading the flag back.
    ///
    /// Usage: `values.flag(spec.name)`
    public var name: String
    /// An optional single-character short name, used as `-v`.
    ///
    /// Usage: `FlagSpec("verbose", short: "v")`
    public var short: Character?
    /// One line shown in the `OPTIONS:` section.
    ///
    /// Usage: `spec.help = "Print JSON."`
    public var help: String
    /// Whether subcommands (at any depth) accept this flag too, like a global `--json`.
    ///
    /// Usage: `FlagSpec("json", isInherited: true)`
    public var isInherited: Bool

    /// Creates a flag description; local by default.
    ///
    /// Usage: `FlagSpec("verbose", short: "v", help: "Say more.")`
    public init(_ name: String, short: Character? = nil, help: String = "", isInherited: Bool = false) {
        self.name = name
        self.short = short
        self.help = help
        self.isInherited = isInherited
    }
}
