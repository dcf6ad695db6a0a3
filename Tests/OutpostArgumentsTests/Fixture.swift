@testable import OutpostArguments

/// A small `outpost`-like tree used by all argument tests.
let outpost = CommandSpec(
    name: "outpost",
    abstract: "Offline-first CRM client.",
    discussion: "Works without a network; run 'outpost sync' to exchange changes.",
    options: [
        OptionSpec("server", help: "Server base URL.", valueName: "url", isInherited: true),
        OptionSpec("profile", help: "Profile name for the root only."),
    ],
    flags: [
        FlagSpec("json", help: "Print machine-readable JSON.", isInherited: true),
        FlagSpec("verbose", short: "v", help: "Say more; repeat for even more.", isInherited: true),
    ],
    subcommands: [
        CommandSpec(
            name: "customer", abstract: "Manage customers.",
            subcommands: [
                CommandSpec(
                    name: "add", abstract: "Add a customer.",
                    arguments: [
                        ArgumentSpec("name", help: "The customer's display name."),
                        ArgumentSpec("note", help: "A free-text note.", isOptional: true),
                    ],
                    options: [
                        OptionSpec("code", short: "c", help: "Unique customer code.", isRequired: true),
                        OptionSpec("phone", short: "p", help: "Phone number.", isRepeatable: true),
                        OptionSpec("tier", help: "Pricing tier.", defaultValue: "core"),
                    ],
                    flags: [FlagSpec("dry-run", short: "n", help: "Validate without saving.")]
                ),
                CommandSpec(
                    name: "list", abstract: "List customers.",
                    options: [OptionSpec("limit", help: "Maximum rows.", valueName: "count")]
                ),
            ]
        ),
        CommandSpec(
            name: "import", abstract: "Import files.",
            arguments: [ArgumentSpec("files", help: "Files to import.", isVariadic: true)]
        ),
        CommandSpec(
            name: "sync", abstract: "Synchronise with the server.",
            subcommands: [CommandSpec(name: "status", abstract: "Show sync status.")],
            runsWithoutSubcommand: true
        ),
    ]
)
