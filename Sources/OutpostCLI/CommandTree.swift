import OutpostArguments
import OutpostModel

/// The declaration of every `outpost` command. Field options are generated from the entity schemas,
/// so `--help` always lists the fields the model accepts.
enum CommandTree {
    static let exitCodes = """
        EXIT CODES:
          0   success
          1   the command could not be done: invalid data, record not found, not allowed,
              the server refused the request or could not be reached (local edits are kept)
          64  usage error: unknown command or option, missing or malformed argument
        """

    static let root = CommandSpec(
        name: "outpost",
        abstract: "Offline-first CRM: work on customers, contacts, visits and complaints, then sync.",
        discussion: """
            Every command works on the local replica; only `init` and `sync` talk to the server.

            REPLICA LOCATION (first that applies):
              --db PATH, $OUTPOST_DB, $OUTPOST_HOME/replica.db, ~/.outpost/replica.db

            RECORDS are named by id, by the first characters of the id (at least 4, as shown in
            tables) or, for customers, by customer code. When two customers share a code (two
            devices created it offline), name the one you mean by its id.

            SERVER TIMEOUT: a request waits 60 s for the server's answer ($OUTPOST_TIMEOUT seconds
            overrides it).

            \(exitCodes)
            """,
        options: [
            OptionSpec("db", help: "The local replica database (created if missing).", valueName: "path", isInherited: true),
        ],
        flags: [
            FlagSpec("json", help: "Print machine-readable JSON instead of tables.", isInherited: true),
            FlagSpec("verbose", help: "On errors, also print the technical detail (SQLite code and SQL, network error).", isInherited: true),
        ],
        subcommands: [
            CommandSpec(
                name: "init", abstract: "Connect this device to a sync server with your access token.",
                discussion: "Checks the token with the server and stores the server, user, role and branch in the replica. Nothing is stored when the server refuses the token or cannot be reached.",
                options: [
                    OptionSpec("server", help: "The server's URL, e.g. http://sync.example.com:8080.", valueName: "url", isRequired: true),
                    OptionSpec("token", help: "Your access token (from `outpost-server user add`).", valueName: "token", isRequired: true),
                ]),
            CommandSpec(
                name: "doctor", abstract: "Check the local database for damage, or rebuild it with --repair.",
                discussion: """
                    Checks every page of the replica file (SQLite's integrity check) and that every stored record
                    can be read. Exit status 1 when something is wrong.

                    --repair rebuilds a damaged replica: the unsent edits it can still read are kept, the damaged
                    file is moved aside (REPLICA.damaged-TIME), and a fresh replica with the same server and token
                    (and a new device id) is created. Run `outpost sync` afterwards to receive everything again.
                    """,
                flags: [FlagSpec("repair", help: "Rebuild a damaged replica, keeping the unsent edits that can still be read.")]),
            CommandSpec(name: "status", abstract: "Show this device's server, user, pending edits, conflicts and last sync."),
            CommandSpec(
                name: "sync", abstract: "Send local edits to the server and receive everyone else's.",
                discussion: "Progress goes to standard error, the summary to standard output. When the server cannot be reached, local edits are kept and the exit status is 1.\n\n" + exitCodes),
            CommandSpec(
                name: "conflicts", abstract: "List records with concurrent edits that need a decision.",
                discussion: "Each conflicting value is numbered: 1 is the value currently shown everywhere. Resolve with `outpost resolve <record> --field NAME --pick N`."),
            CommandSpec(
                name: "resolve", abstract: "Resolve a conflict: pick a value, write a new one, or restore/delete.",
                discussion: """
                    Field conflict:  outpost resolve <record> --field name --pick 2
                                     outpost resolve <record> --field name --value "Acme Group"
                    Delete conflict: outpost resolve <record> --restore   (keep the record and the edits)
                                     outpost resolve <record> --delete    (delete it again)
                    --field may be left out when the record has exactly one field in conflict.
                    """,
                arguments: [ArgumentSpec("record", help: "Record id, id prefix or customer code.")],
                options: [
                    OptionSpec("field", help: "The field in conflict.", valueName: "name"),
                    OptionSpec("pick", help: "Keep value number N as listed by `outpost conflicts` (1 = current).", valueName: "n"),
                    OptionSpec("value", help: "Write this value instead (read like the field's option).", valueName: "text"),
                ],
                flags: [
                    FlagSpec("restore", help: "Keep a record that was deleted on one device while edited on another."),
                    FlagSpec("delete", help: "Delete a record whose delete raced an edit."),
                ]),
            entityGroup(.customer, abstract: "Manage customer files.", addName: "add", addAbstract: "Add a customer."),
            entityGroup(.contact, abstract: "Manage the people at customers.", addName: "add", addAbstract: "Add a contact to a customer."),
            entityGroup(.visit, abstract: "Plan and log visits to customers.", addName: "log",
                        addAbstract: "Log a visit (now by default) or plan one with --planned-at."),
            entityGroup(.complaint, abstract: "Record complaints and follow their deadlines.", addName: "open",
                        addAbstract: "Record a complaint received from a customer."),
        ] + PolicyCommandTree.commands)

    static let tool = CommandLineTool(root: root)

    /// The name of the command that creates records of `type`.
    static func addCommand(_ type: EntityType) -> String {
        switch type {
        case .customer, .contact: return "add"
        case .visit: return "log"
        case .complaint: return "open"
        }
    }

    static let recordArgument = ArgumentSpec("record", help: "Record id, id prefix (≥4 characters) or customer code.")
    static let customerOption = OptionSpec("customer", help: "The customer: id, id prefix or customer code.", valueName: "customer")

    static func entityGroup(_ type: EntityType, abstract: String, addName: String, addAbstract: String) -> CommandSpec {
        let schema = EntitySchema.for(type)
        let plural = type.rawValue + "s"
        let isChild = type != .customer
        var addOptions = fieldOptions(schema, forAdd: true)
        var addDiscussion: String?
        if isChild {
            var option = customerOption
            option.isRequired = true
            addOptions.insert(option, at: 0)
        }
        switch type {
        case .customer:
            addDiscussion = "Example: outpost customer add --code C-0001 --name \"Acme\" --kind enterprise --tier core"
        case .contact:
            addDiscussion = "Example: outpost contact add --customer C-0001 --name \"Li Wei\" --phones \"+86 10 1234,+86 139 0000\" --decision-maker yes"
        case .visit:
            addDiscussion = "Without --planned-at or --actual-at the visit is logged as having happened now.\nTimes are RFC 3339, e.g. 2026-11-24T09:30:00Z, or `now`."
        case .complaint:
            addDiscussion = "The deadline follows the category: responsible-major 24 h, responsible-general 72 h, not-responsible 120 h, assist 168 h."
        }
        var listOptions: [OptionSpec] = []
        var listFlags: [FlagSpec] = [FlagSpec("deleted", help: "Include deleted \(plural).")]
        switch type {
        case .customer:
            listOptions = [
                OptionSpec("tier", help: "Only this tier (\(EntitySchema.tiers.joined(separator: ", "))).", valueName: "tier"),
                OptionSpec("owner", help: "Only customers owned by this user.", valueName: "user"),
            ]
            listFlags.append(FlagSpec("due", help: "Only customers due for a visit now (never visited, or late), the longest-waiting first."))
        case .complaint:
            listOptions = [customerOption]
            listFlags.append(FlagSpec("open", help: "Only complaints not yet resolved or closed."))
            listFlags.append(FlagSpec("overdue", help: "Only open complaints past their deadline, the oldest deadline first."))
        case .contact, .visit:
            listOptions = [customerOption]
        }
        let subcommands = [
            CommandSpec(name: addName, abstract: addAbstract, discussion: addDiscussion, options: addOptions),
            CommandSpec(
                name: "edit", abstract: "Change fields of a \(type.rawValue) (editing a field in conflict resolves it).",
                arguments: [recordArgument],
                options: fieldOptions(schema, forAdd: false) + [
                    OptionSpec("clear", help: "Remove the value of an optional field.", valueName: "field", isRepeatable: true),
                ]),
            CommandSpec(name: "list", abstract: "List \(plural).", options: listOptions, flags: listFlags),
            CommandSpec(name: "show", abstract: "Show every field of a \(type.rawValue), and its conflicts.",
                        discussion: type == .customer ? "Also shows when the customer is due for a visit (last visit + the tier's interval: core 30, important 60, potential 90, general 180 days)." : nil,
                        arguments: [recordArgument]),
            CommandSpec(name: "delete", abstract: "Delete a \(type.rawValue) (it can be restored).", arguments: [recordArgument]),
            CommandSpec(name: "restore", abstract: "Restore a deleted \(type.rawValue).", arguments: [recordArgument]),
        ]
        return CommandSpec(name: type.rawValue, abstract: abstract, subcommands: subcommands)
    }

    /// Options for the fields of `schema`, named after them (`annualPurchase` → `--annual-purchase`).
    /// The `customer` reference is left out: it is given as `--customer` by id or code.
    static func fieldOptions(_ schema: EntitySchema, forAdd: Bool) -> [OptionSpec] {
        schema.fields.compactMap { field -> OptionSpec? in
            if case .reference = field.kind { return nil }
            var defaultValue: String?
            if forAdd && schema.type == .complaint {
                if field.name == "status" { defaultValue = "open" }
                if field.name == "receivedAt" { defaultValue = "now" }
            }
            let isPhones: Bool
            if case .phoneList = field.kind { isPhones = true } else { isPhones = false }
            return OptionSpec(
                FieldInput.optionName(for: field.name),
                help: "\(field.summary): \(FieldInput.expectation(field.kind))\(isPhones ? "; repeat or separate with commas" : "").",
                valueName: FieldInput.valueName(field.kind),
                isRequired: forAdd && field.required && defaultValue == nil,
                isRepeatable: isPhones,
                defaultValue: defaultValue)
        }
    }
}
