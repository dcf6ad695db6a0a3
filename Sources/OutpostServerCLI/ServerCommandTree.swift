import OutpostArguments
import OutpostModel
import OutpostServer

/// Every `outpost-server` command with its handler. To add an option to `serve`, declare it in
/// ``ServeOptions/specs`` and read it in ``ServeOptions/init(_:)``; to add a command, add a node here.
enum ServerCommandTree {
    /// The database used when `--db` is not given.
    static let defaultDatabase = "outpost.db"
    /// The roles, for help and messages.
    static let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")

    static let root: ServerCommandNode = ServerCommandNode(
        group: CommandSpec(
            name: "outpost-server",
            abstract: "The Outpost sync server and its administration.",
            options: [OptionSpec("db", help: "The SQLite database file (created if missing).", valueName: "path",
                                 defaultValue: defaultDatabase, isInherited: true)]),
        [
            ServerCommandNode(CommandSpec(
                name: "serve", abstract: "Run the sync server until SIGTERM or SIGINT (requests in flight are finished).",
                discussion: ServeOptions.discussion, options: ServeOptions.options, flags: ServeOptions.flags)) { context in
                try ServeCommand(context: context, options: ServeOptions(context.values)).run()
            },
            ServerCommandNode(CommandSpec(
                name: "status", abstract: "Show users, devices and their last sync, pending conflicts, database size and epoch.",
                discussion: "Reads the database only; safe while the server is running.",
                flags: [FlagSpec("json", help: "Print the status as one JSON object, for scripts and monitoring.")])) { context in
                try StatusCommand(context: context).run()
            },
            ServerCommandNode(CommandSpec(
                name: "backup", abstract: "Copy the database to a new file; safe while the server is running.",
                discussion: "The copy is one consistent snapshot: every push is either wholly in it or not at all. Pushes go on meanwhile.",
                options: [OptionSpec("to", help: "The backup file to create (must not exist).", valueName: "file", isRequired: true)])) {
                try BackupCommands(context: $0).backup()
            },
            ServerCommandNode(CommandSpec(
                name: "restore", abstract: "Replace the database by a backup (stop the server first).",
                discussion: "Begins a new epoch: clients notice on their next sync and re-send the changes the backup lacks. The replaced file is kept next to it as <db>.before-restore-….",
                options: [OptionSpec("from", help: "The backup file.", valueName: "file", isRequired: true)])) {
                try BackupCommands(context: $0).restore()
            },
            ServerCommandNode(group: CommandSpec(name: "upstream", abstract: "Reconcile this (branch) server with headquarters."), [
                ServerCommandNode(CommandSpec(
                    name: "sync", abstract: "Send this server's changes to headquarters and merge theirs (run it nightly).",
                    discussion: "Uses an ordinary token issued by headquarters (a manager of this branch, or hq). Safe to interrupt and re-run: merging is idempotent.",
                    options: [
                        OptionSpec("server", help: "Headquarters' URL.", valueName: "url", isRequired: true),
                        OptionSpec("token", help: "A token issued by headquarters.", valueName: "token", isRequired: true),
                    ])) { try await AdminCommands(context: $0).upstreamSync() },
            ]),
            ServerCommandNode(group: CommandSpec(name: "policy", abstract: "The company policy document devices receive at sync."), [
                ServerCommandNode(CommandSpec(name: "show", abstract: "Print the policy document in force (version 0: built-in defaults).")) {
                    try AdminCommands(context: $0).policyShow()
                },
                ServerCommandNode(CommandSpec(
                    name: "set", abstract: "Replace the policy document; its version goes up by one.",
                    discussion: "Members left out keep their defaults; unknown members are refused. Devices receive it on their next sync.",
                    arguments: [ArgumentSpec("file", help: "A JSON policy document (see `policy show`).")])) {
                    try AdminCommands(context: $0).policySet()
                },
            ]),
            ServerCommandNode(group: CommandSpec(name: "report", abstract: "Reports for headquarters over every branch."), [
                ServerCommandNode(CommandSpec(
                    name: "monthly", abstract: "The monthly report (the same figures a device computes over the same records).",
                    options: [
                        OptionSpec("month", help: "The month, YYYY-MM.", valueName: "month", isRequired: true),
                        OptionSpec("format", help: "table, json, csv or markdown.", valueName: "format", defaultValue: "table"),
                        OptionSpec("branch", help: "Only this branch (default: every branch).", valueName: "code"),
                    ])) { try AdminCommands(context: $0).monthlyReport() },
            ]),
            ServerCommandNode(CommandSpec(
                name: "duplicates", abstract: "List customers of all devices that look like the same company (查重, for headquarters).",
                discussion: "Compares live customers by unified social credit code, normalised name and contact phone numbers. Devices show the same report over their own scope with `outpost customer duplicates`.",
                options: [OptionSpec("branch", help: "Only this branch.", valueName: "code")],
                flags: [FlagSpec("json", help: "Print the groups as JSON arrays of {id, branch, code, name, owner, reasons}.")])) { context in
                DuplicatesReport(context: context).print(try context.openDatabase().duplicateCustomerGroups(branch: context.values.option("branch")))
            },
            UserCommands.node,
            ServerCommandNode(group: CommandSpec(name: "customer", abstract: "Customer ownership."), [
                ServerCommandNode(CommandSpec(
                    name: "reassign", abstract: "Hand a salesperson's customers (or one of them) to a colleague.",
                    discussion: "Writes the new owner as the server (node srv-<epoch>); every device receives it on its next sync, the old owner's devices drop the customers and their contacts, visits and complaints, and the new owner's devices receive them. Recorded in the audit log.",
                    options: [
                        OptionSpec("from", help: "The current owner.", valueName: "user", isRequired: true),
                        OptionSpec("to", help: "The new owner (an active user).", valueName: "user", isRequired: true),
                        OptionSpec("customer", help: "Only the customer with this code.", valueName: "code"),
                    ])) { try AdminCommands(context: $0).reassign() },
            ]),
            ServerCommandNode(CommandSpec(
                name: "audit", abstract: "Show the audit log of access changes (who, what, when).",
                options: [OptionSpec("limit", help: "The most recent entries to show.", valueName: "n", defaultValue: "100")])) {
                try AdminCommands(context: $0).audit()
            },
            ServerCommandNode(CommandSpec(
                name: "completion", abstract: "Print a shell completion script (bash or zsh) generated from these commands.",
                discussion: "bash: source <(outpost-server completion bash)   zsh: source <(outpost-server completion zsh)",
                arguments: [ArgumentSpec("shell", help: "bash or zsh.")])) { context in
                let name = try context.values.require("shell")
                guard let shell = CompletionShell(rawValue: name) else { throw ServerCLIError.usage("'\(name)' is not a shell; use bash or zsh.") }
                context.out.write(ServerCommandTree.root.spec.completionScript(for: shell))
            },
        ])
}
