import Foundation
import OutpostTerminal
import Testing
import OutpostCLI
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// What one run of the CLI printed and returned.
struct CLIResult {
    var status: Int32
    var out: String
    var err: String

    /// Standard output parsed as JSON.
    func json() throws -> JSONValue { try JSONValue.parse(out) }
}

/// One device: the `outpost` command with its own replica database.
struct Device {
    let db: String
    let home: String
    var environment: [String: String] = [:]

    @discardableResult
    func run(_ arguments: String...) async -> CLIResult {
        await run(arguments)
    }

    @discardableResult
    func run(_ arguments: [String]) async -> CLIResult {
        let out = TextBuffer(), err = TextBuffer()
        var environment = self.environment
        environment["HOME"] = home
        // Text checks read English and UTC unless a test asks for a language or zone.
        if environment["LANG"] == nil { environment["LANG"] = "en_US.UTF-8" }
        if environment["TZ"] == nil { environment["TZ"] = "UTC" }
        let status = await OutpostCommand.run(["--db", db] + arguments, environment: environment, standardOutput: out, standardError: err)
        return CLIResult(status: status, out: out.text, err: err.text)
    }

    /// Runs a command that must succeed, recording its stderr when it does not.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async -> CLIResult {
        await ok(arguments, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async -> CLIResult {
        let result = await run(arguments)
        #expect(result.status == 0, "outpost \(arguments.joined(separator: " ")) failed: \(result.err)", sourceLocation: sourceLocation)
        return result
    }
}

/// A real sync server on a loopback port chosen by the system, in a temporary directory.
final class LoopbackServer {
    let support: TestServer
    let server: SyncServer
    private var stopped = false

    init() throws {
        support = try TestServer()
        server = SyncServer(database: support.database, port: 0)
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }

    func device(_ name: String) -> Device {
        Device(db: support.path("\(name).db"), home: support.path("home-\(name)"))
    }

    /// A device signed in as a new user.
    func signedIn(_ name: String, role: Role = .manager, branch: String = "BJ") async throws -> Device {
        let token = try support.addUser(name, role: role, branch: branch)
        let device = device(name)
        let result = await device.run("init", "--server", url, "--token", token)
        try #require(result.status == 0, "init failed: \(result.err)")
        return device
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        server.shutdown()
    }

    deinit {
        stop()
        support.cleanUp()
    }
}

let acmeArguments = ["customer", "add", "--code", "C-001", "--name", "Acme", "--kind", "enterprise", "--tier", "core"]

@Suite("outpost CLI against a loopback server")
struct CLITests {
    // MARK: init

    @Test func initWithAValidTokenStoresWhoYouAre() async throws {
        let server = try LoopbackServer()
        let token = try server.support.addUser("alice", role: .manager, branch: "BJ")
        let device = server.device("alice")
        let result = await device.ok("init", "--server", server.url, "--token", token)
        #expect(result.out.contains("alice"))
        #expect(result.out.contains("manager"))
        let status = try await device.ok("status", "--json").json()
        #expect(status.objectValue?["user"] == "alice")
        #expect(status.objectValue?["branch"] == "BJ")
        #expect(status.objectValue?["server"] == .string(server.url))
    }

    @Test func anotherUserCannotSignInToAReplicaHoldingRecords() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        _ = await device.ok(acmeArguments)
        let bobToken = try server.support.addUser("bob", role: .sales, branch: "SH")
        let refused = await device.run("init", "--server", server.url, "--token", bobToken)
        #expect(refused.status == 1)
        #expect(refused.err.contains("belongs to alice"))
        #expect(refused.err.contains("1 unsent edit"))
        let status = try await device.ok("status", "--json").json()
        #expect(status.objectValue?["user"] == "alice")
        #expect(status.objectValue?["pendingChanges"] == 1)
        // The same user signing in again (say with a rotated token) keeps everything.
        let again = await device.ok("init", "--server", server.url, "--token", try server.support.database.rotateToken(name: "alice"))
        #expect(again.out.contains("alice"))
        #expect(try await device.ok("status", "--json").json().objectValue?["pendingChanges"] == 1)
    }

    @Test func initWithARefusedTokenFailsAndStoresNothing() async throws {
        let server = try LoopbackServer()
        _ = try server.support.addUser("alice")
        let device = server.device("alice")
        let result = await device.run("init", "--server", server.url, "--token", "not-a-token")
        #expect(result.status == 1)
        #expect(result.err.contains("refused the access token"))
        #expect(result.out.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: device.db))
    }

    @Test func initWithABadURLOrUnreachableServerFailsWithAMessage() async throws {
        let server = try LoopbackServer()
        let token = try server.support.addUser("alice")
        let device = server.device("alice")
        let badURL = await device.run("init", "--server", "sync.example.com", "--token", token)
        #expect(badURL.status == 1)
        #expect(badURL.err.contains("is not a server address"))
        let url = server.url
        server.stop()
        let unreachable = await device.run("init", "--server", url, "--token", token)
        #expect(unreachable.status == 1)
        #expect(unreachable.err.contains("Could not connect to the server at \(url)"))
        #expect(unreachable.err.contains("nothing was stored"))
        #expect(!FileManager.default.fileExists(atPath: device.db))
    }

    // MARK: Records

    @Test func anAddedCustomerIsListed() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        let added = await device.ok(acmeArguments + ["--annual-purchase", "125000.50", "--owner", "alice"])
        #expect(added.out.contains("C-001"))
        let table = await device.ok("customer", "list")
        #expect(table.out.contains("C-001"))
        #expect(table.out.contains("Acme"))
        let list = try await device.ok("customer", "list", "--json").json()
        let customer = try #require(list.arrayValue?.first?.objectValue)
        #expect(list.arrayValue?.count == 1)
        #expect(customer["annualPurchase"] == .double(125000.5))
        #expect(customer["branch"] == "BJ")
        #expect(customer["deleted"] == false)
        #expect(customer["conflicts"] == [])
        let filtered = try await device.ok("customer", "list", "--tier", "general", "--json").json()
        #expect(filtered.arrayValue?.isEmpty == true)
        #expect(await device.ok("customer", "list", "--tier", "general").out.contains("No customers match --tier general."))
        #expect(await device.ok("contact", "list").out.contains("No contacts."))
        // The card shows every field of the schema, with a dash for the empty ones.
        let card = await device.ok("customer", "show", "C-001").out.split(separator: "\n").map(String.init)
        #expect(card.first?.hasPrefix("Customer C-001") == true)
        #expect(card.contains { $0.hasPrefix("  owner ") && $0.hasSuffix(" alice") })
        #expect(card.contains { $0.hasPrefix("  industry ") && $0.hasSuffix(" —") })
        #expect(card.contains { $0.hasPrefix("  revisit due ") })
    }

    @Test func anInvalidTierIsRefusedNamingTheFieldAndNothingIsStored() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        let result = await device.run("customer", "add", "--code", "C-001", "--name", "Acme", "--kind", "enterprise", "--tier", "gold")
        #expect(result.status == 1)
        #expect(result.err.contains("'tier'"))
        #expect(result.err.contains("gold"))
        #expect(!result.err.contains("ValidationError"))
        let list = try await device.ok("customer", "list", "--json").json()
        #expect(list == [])
        let status = try await device.ok("status", "--json").json()
        #expect(status.objectValue?["pendingChanges"] == 0)
    }

    @Test func aDuplicateCustomerCodeIsRefused() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        await device.ok(acmeArguments)
        let duplicate = await device.run("customer", "add", "--code", "C-001", "--name", "Other", "--kind", "tenant", "--tier", "general")
        #expect(duplicate.status == 1)
        #expect(duplicate.err.contains("'C-001' is already used"))
        #expect(try await device.ok("customer", "list", "--json").json().arrayValue?.count == 1)
    }

    @Test func aContactIsAddedToACustomerNamedByCode() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        let customer = try await device.ok(acmeArguments + ["--json"]).json()
        await device.ok("contact", "add", "--customer", "C-001", "--name", "Li Wei", "--phones", "+86 10 1234,+86 139 0000",
                        "--decision-maker", "yes")
        let contacts = try await device.ok("contact", "list", "--customer", "C-001", "--json").json()
        let contact = try #require(contacts.arrayValue?.first?.objectValue)
        #expect(contact["customer"] == customer.objectValue?["id"])
        #expect(contact["phones"] == ["+86 10 1234", "+86 139 0000"])
        #expect(contact["decisionMaker"] == true)
        let unknown = await device.run("contact", "add", "--customer", "C-404", "--name", "Nobody")
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("C-404"))
    }

    @Test func editAcceptsAnIdPrefixAndClearsFields() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("alice")
        let customer = try await device.ok(acmeArguments + ["--industry", "Steel", "--json"]).json()
        let id = try #require(customer.objectValue?["id"]?.stringValue)
        await device.ok("customer", "edit", String(id.prefix(8)), "--tier", "important", "--clear", "industry")
        let shown = try await device.ok("customer", "show", "C-001", "--json").json()
        #expect(shown.objectValue?["tier"] == "important")
        #expect(shown.objectValue?["industry"] == .null)
        let nothing = await device.run("customer", "edit", "C-001")
        #expect(nothing.status == 64)
    }

    @Test func overdueOpenComplaintsAreMarkedInTheList() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("alice")
        await device.ok(acmeArguments)
        await device.ok("complaint", "open", "--customer", "C-001", "--channel", "phone", "--content", "Late delivery",
                        "--category", "responsible-major", "--received-at", "2026-03-01T08:00:00Z")
        // Received Sunday 16:00 in Shanghai: reported to HQ by the end of Monday (policy default), 16:00 UTC.
        device.environment["OUTPOST_NOW"] = "2026-03-02T17:00:00Z"
        let table = await device.ok("complaint", "list")
        #expect(table.out.contains("DUE"))
        #expect(table.out.contains("2026-03-02 16:00 OVERDUE"))
        let list = try await device.ok("complaint", "list", "--json").json()
        #expect(list.arrayValue?.first?.objectValue?["due"] == "2026-03-02T16:00:00Z")
        #expect(list.arrayValue?.first?.objectValue?["overdue"] == true)
        #expect(list.arrayValue?.first?.objectValue?["status"] == "open")
    }

    @Test func overdueListsOnlyOpenComplaintsPastTheirDeadlineOldestFirst() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("alice")
        await device.ok(acmeArguments)
        func open(_ content: String, _ category: String, _ received: String, status: [String] = []) async {
            await device.ok(["complaint", "open", "--customer", "C-001", "--channel", "phone", "--content", content,
                             "--category", category, "--received-at", received] + status)
        }
        // Deadlines per the policy document (Shanghai working days): the general one by the end of Tuesday
        // 3 March, the major one (Sunday 17:00) reported to HQ by the end of Monday 2 March.
        await open("Late delivery", "responsible-general", "2026-03-01T08:00:00Z")
        await open("Broken crate", "responsible-major", "2026-03-01T09:00:00Z")
        await open("Wrong invoice", "responsible-major", "2026-03-01T07:00:00Z", status: ["--status", "resolved"])
        await open("Price question", "responsible-major", "2026-03-09T08:00:00Z")
        device.environment["OUTPOST_NOW"] = "2026-03-10T00:00:00Z"
        let overdue = try await device.ok("complaint", "list", "--overdue", "--json").json()
        let contents = overdue.arrayValue?.compactMap { $0.objectValue?["content"]?.stringValue }
        #expect(contents == ["Broken crate", "Late delivery"])
    }

    @Test func dueListsCustomersNeverVisitedOrLateLongestWaitingFirst() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("alice")
        for (code, tier) in [("C-1", "core"), ("C-2", "general"), ("C-3", "core"), ("C-4", "important")] {
            await device.ok("customer", "add", "--code", code, "--name", "Customer \(code)", "--kind", "enterprise", "--tier", tier)
        }
        // Core is visited every 30 days, important every 60, general every 180.
        await device.ok("visit", "log", "--customer", "C-1", "--method", "onsite", "--actual-at", "2026-01-01T09:00:00Z")
        await device.ok("visit", "log", "--customer", "C-2", "--method", "phone", "--actual-at", "2026-01-01T09:00:00Z")
        await device.ok("visit", "log", "--customer", "C-4", "--method", "onsite", "--actual-at", "2025-12-01T09:00:00Z")
        device.environment["OUTPOST_NOW"] = "2026-03-01T00:00:00Z"
        let due = try await device.ok("customer", "list", "--due", "--json").json()
        let codes = due.arrayValue?.compactMap { $0.objectValue?["code"]?.stringValue }
        #expect(codes == ["C-3", "C-4", "C-1"])
        let table = await device.ok("customer", "list", "--due")
        #expect(table.out.contains("no visit yet"))
        #expect(!table.out.contains("C-2"))
    }

    // MARK: Sync and conflicts

    @Test(arguments: [true, false])
    func concurrentEditsConflictOnTheSameFieldMergeOthersAndResolveByPicking(aliceSyncsFirst: Bool) async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        let bob = try await server.signedIn("bob")
        await alice.ok(acmeArguments)
        let pushed = await alice.ok("sync")
        #expect(pushed.err.contains("Pushing 1/1"))
        #expect(pushed.out.hasPrefix("Pushed 1"))
        let pulled = await bob.ok("sync")
        #expect(pulled.out.contains("pulled 1"))

        // Offline on both devices: the same field (name) and different fields (industry, tier).
        await alice.ok("customer", "edit", "C-001", "--name", "Acme Ltd", "--industry", "Steel")
        await bob.ok("customer", "edit", "C-001", "--name", "ACME Group", "--tier", "important")
        let (first, second) = aliceSyncsFirst ? (alice, bob) : (bob, alice)
        await first.ok("sync")
        let report = await second.ok("sync")
        #expect(report.out.contains("1 conflict"))
        #expect(report.out.contains("outpost conflicts"))
        await first.ok("sync")

        for device in [alice, bob] {
            let text = await device.ok("conflicts")
            #expect(text.out.contains("“Acme Ltd”"))
            #expect(text.out.contains("“ACME Group”"))
            #expect(text.out.contains("1)"))
            #expect(text.out.contains("2)"))
            let conflicts = try await device.ok("conflicts", "--json").json()
            let conflict = try #require(conflicts.arrayValue?.first?.objectValue?["conflicts"]?.arrayValue?.first?.objectValue)
            #expect(conflict["field"] == "name")
            #expect(Set(conflict["values"]?.arrayValue?.compactMap { $0.objectValue?["value"] } ?? []) == ["Acme Ltd", "ACME Group"])
        }

        let listed = try await alice.ok("conflicts", "--json").json()
        let choices = try #require(listed.arrayValue?.first?.objectValue?["conflicts"]?.arrayValue?.first?.objectValue?["values"]?.arrayValue)
        let picked = try #require(choices[1].objectValue?["value"])
        await alice.ok("resolve", "C-001", "--field", "name", "--pick", "2")
        await alice.ok("sync")
        await bob.ok("sync")

        let aliceView = await alice.ok("customer", "show", "C-001", "--json")
        let bobView = await bob.ok("customer", "show", "C-001", "--json")
        #expect(aliceView.out == bobView.out)
        let shown = try aliceView.json().objectValue ?? [:]
        #expect(shown["name"] == picked)
        #expect(shown["industry"] == "Steel")
        #expect(shown["tier"] == "important")
        #expect(shown["conflicts"] == [])
        #expect(await bob.ok("conflicts").out.contains("No conflicts"))
    }

    @Test func resolvingWithAValueParsesItForTheFieldKind() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        let bob = try await server.signedIn("bob")
        await alice.ok(acmeArguments)
        await alice.ok("sync")
        await bob.ok("sync")
        await alice.ok("customer", "edit", "C-001", "--annual-purchase", "1000")
        await bob.ok("customer", "edit", "C-001", "--annual-purchase", "1500.5")
        await alice.ok("sync")
        await bob.ok("sync")

        let refused = await bob.run("resolve", "C-001", "--field", "annual-purchase", "--value", "lots")
        #expect(refused.status == 1)
        #expect(refused.err.contains("annualPurchase"))
        let both = await bob.run("resolve", "C-001", "--pick", "1", "--value", "2")
        #expect(both.status == 64)
        // The only field in conflict may be left out.
        await bob.ok("resolve", "C-001", "--value", "1250")
        await bob.ok("sync")
        await alice.ok("sync")
        let shown = try await alice.ok("customer", "show", "C-001", "--json").json()
        #expect(shown.objectValue?["annualPurchase"] == 1250)
        #expect(shown.objectValue?["conflicts"] == [])
    }

    @Test func aDeleteRacingAnEditIsAConflictResolvedByRestoring() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        let bob = try await server.signedIn("bob")
        await alice.ok(acmeArguments)
        await alice.ok("sync")
        await bob.ok("sync")

        await alice.ok("customer", "delete", "C-001")
        await bob.ok("customer", "edit", "C-001", "--notes", "Wants a quote")
        await alice.ok("sync")
        await bob.ok("sync")
        await alice.ok("sync")

        for device in [alice, bob] {
            let text = await device.ok("conflicts")
            #expect(text.out.contains("deleted on one device while edited on another"))
            #expect(text.out.contains("--restore"))
        }
        let resolved = await bob.ok("resolve", "C-001", "--restore")
        #expect(resolved.out.contains("Restored"))
        await bob.ok("sync")
        await alice.ok("sync")

        let aliceView = await alice.ok("customer", "show", "C-001", "--json")
        let bobView = await bob.ok("customer", "show", "C-001", "--json")
        #expect(aliceView.out == bobView.out)
        let shown = try aliceView.json().objectValue ?? [:]
        #expect(shown["deleted"] == false)
        #expect(shown["notes"] == "Wants a quote")
        #expect(shown["conflicts"] == [])
    }

    @Test func syncWithoutTheServerKeepsEditsAndFails() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        server.stop()
        await alice.ok(acmeArguments)
        let result = await alice.run("sync")
        #expect(result.status == 1)
        #expect(result.err.contains("1 local edit is kept"))
        let status = try await alice.ok("status", "--json").json()
        #expect(status.objectValue?["pendingChanges"] == 1)
    }

    @Test func syncBeforeInitSaysToRunInit() async throws {
        let server = try LoopbackServer()
        let result = await server.device("nobody").run("sync")
        #expect(result.status == 1)
        #expect(result.err.contains("outpost init"))
    }

    // MARK: Usage

    @Test func helpIsGeneratedForTheRootAndNestedCommands() async throws {
        let server = try LoopbackServer()
        let device = server.device("help")
        let root = await device.run("--help")
        #expect(root.status == 0)
        #expect(root.out.contains("SUBCOMMANDS:"))
        #expect(root.out.contains("customer"))
        #expect(root.out.contains("EXIT CODES"))
        let nested = await device.run("customer", "edit", "--help")
        #expect(nested.status == 0)
        #expect(nested.out.contains("--annual-purchase <number>"))
        #expect(nested.out.contains("--clear <field>"))
        let viaHelp = await device.run("help", "complaint", "open")
        #expect(viaHelp.status == 0)
        #expect(viaHelp.out.contains("--received-at"))
    }

    @Test func unknownCommandsAndOptionsAreUsageErrors() async throws {
        let server = try LoopbackServer()
        let device = server.device("usage")
        let unknown = await device.run("cusomer", "list")
        #expect(unknown.status == 64)
        #expect(unknown.err.contains("unknown subcommand 'cusomer'"))
        #expect(unknown.err.contains("--help"))
        let missing = await device.run("customer")
        #expect(missing.status == 64)
        let option = await device.run("customer", "list", "--tierr", "core")
        #expect(option.status == 64)
        #expect(option.err.contains("did you mean '--tier'"))
    }
}
