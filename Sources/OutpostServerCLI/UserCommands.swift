import OutpostArguments
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTerminal

/// `outpost-server user …`: accounts and their tokens.
struct UserCommands {
    let context: ServerContext

    static var node: ServerCommandNode {
        let roles = ServerCommandTree.roles
        let name = ArgumentSpec("name", help: "User name.")
        func simple(_ command: String, _ abstract: String, _ run: @escaping @Sendable (UserCommands) throws -> Void) -> ServerCommandNode {
            ServerCommandNode(CommandSpec(name: command, abstract: abstract, arguments: [name])) { try run(UserCommands(context: $0)) }
        }
        return ServerCommandNode(group: CommandSpec(name: "user", abstract: "Manage users and their access tokens."), [
            ServerCommandNode(CommandSpec(
                name: "add", abstract: "Create a user and print their token (shown only once).",
                arguments: [name],
                options: [
                    OptionSpec("role", help: "One of \(roles).", valueName: "role", isRequired: true),
                    OptionSpec("branch", help: "Home branch code, e.g. BJ.", valueName: "code", isRequired: true),
                ],
                flags: [FlagSpec("json", help: "Print {\"user\", \"role\", \"branch\", \"token\"} as JSON, for scripts.")])) {
                try UserCommands(context: $0).add()
            },
            ServerCommandNode(CommandSpec(
                name: "list", abstract: "List users with their state and last sync.",
                discussion: "--inactive 14 shows only users who have not synced for 14 days (deactivated users are left out).",
                options: [OptionSpec("inactive", help: "Only users who have not synced for this many days.", valueName: "days")])) {
                try UserCommands(context: $0).list()
            },
            ServerCommandNode(CommandSpec(
                name: "set", abstract: "Change a user's role and/or home branch at once.",
                discussion: "Their devices drop what they may no longer see, and receive what they now may, on their next sync.",
                arguments: [name],
                options: [
                    OptionSpec("role", help: "One of \(roles).", valueName: "role"),
                    OptionSpec("branch", help: "Home branch code, e.g. SH.", valueName: "code"),
                ])) { try UserCommands(context: $0).set() },
            simple("deactivate", "Disable an account at once (someone who left); its token stops working.") { try $0.deactivate() },
            simple("reactivate", "Bring a deactivated account back and print a new token (shown once).") { try $0.reactivate() },
            simple("freeze", "Block an account until unfrozen (someone likely to leave); the token is kept.") { try $0.freeze(true) },
            simple("unfreeze", "Let a frozen account sign in again with its token.") { try $0.freeze(false) },
            simple("revoke", "Same as deactivate (kept for scripts).") { try $0.deactivate() },
            simple("rotate", "Issue a new token (the old one stops working); refused for deactivated users.") { try $0.rotate() },
        ])
    }

    var values: ParsedValues { context.values }

    func add() throws {
        let name = try values.require("name")
        let role = try context.role(try values.require("role"))
        let branch = try values.require("branch")
        let token = try context.openDatabase().addUser(name: name, role: role, branch: branch)
        if context.json {
            context.printJSON(["user": .string(name), "role": .string(role.rawValue), "branch": .string(branch), "token": .string(token)])
        } else {
            context.print("Created \(role.rawValue) \(name) in branch \(branch).")
            context.print("Token (shown once, keep it safe):")
            context.print(token)
        }
    }

    func list() throws {
        let database = try context.openDatabase()
        let days = try context.int("inactive", atLeast: 1, what: "days")
        let users = try days.map { try database.inactiveUsers(days: $0) } ?? database.users()
        guard !users.isEmpty else {
            context.print(days.map { "Every active user has synced within \($0) days." }
                ?? "No users yet. Add one with `outpost-server user add NAME --role sales --branch BJ`.")
            return
        }
        let rows = users.map { user in
            [user.name, user.role.rawValue, user.branch, user.status.rawValue, String(Timestamps.format(user.createdAt).prefix(10)),
             user.lastSyncAt.map(ServerContext.minute) ?? "never"]
        }
        context.print(TextTable(columns: ["NAME", "ROLE", "BRANCH", "STATE", "CREATED", "LAST SYNC"], rows: rows).rendered())
    }

    func set() throws {
        let name = try values.require("name")
        let role = try values.option("role").map(context.role)
        let branch = values.option("branch")
        guard role != nil || branch != nil else { throw ServerCLIError.usage("Give --role and/or --branch.") }
        let user = try context.openDatabase().setUser(name: name, role: role, branch: branch)
        context.print("\(user.name) is now \(user.role.rawValue) in branch \(user.branch). Their devices follow on their next sync.")
    }

    func deactivate() throws {
        let name = try values.require("name")
        try context.openDatabase().deactivateUser(name: name)
        context.print("Deactivated \(name): their token no longer works. Hand over their customers with `outpost-server customer reassign --from \(name) --to …`.")
    }

    func reactivate() throws {
        let name = try values.require("name")
        let token = try context.openDatabase().reactivateUser(name: name)
        context.print("Reactivated \(name). New token (shown once):")
        context.print(token)
    }

    func freeze(_ frozen: Bool) throws {
        let name = try values.require("name")
        try context.openDatabase().setFrozen(name: name, frozen)
        context.print(frozen ? "Froze \(name): refused until `outpost-server user unfreeze \(name)`."
                             : "Unfroze \(name): their token works again.")
    }

    func rotate() throws {
        let name = try values.require("name")
        let token = try context.openDatabase().rotateToken(name: name)
        context.print("New token for \(name) (shown once):")
        context.print(token)
    }
}
