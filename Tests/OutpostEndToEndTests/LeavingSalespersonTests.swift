import Foundation
import Testing
import OutpostJSON

/// A salesperson leaves and a colleague takes over their customers, with the real `outpost-server`
/// and `outpost` executables as separate processes on a loopback port (the README walkthrough).
@Suite("A leaving salesperson's book moves to a colleague")
struct LeavingSalespersonTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-leaving-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var database: String { directory.appendingPathComponent("server.db").path }

    func device(_ name: String) -> Device {
        Device(db: directory.appendingPathComponent("\(name).db").path, home: directory.appendingPathComponent("home-\(name)").path)
    }

    /// Adds a user with the real admin command and returns the token it printed.
    func addUser(_ name: String, role: String) throws -> String {
        let added = try ServerProcess.run(["user", "add", name, "--role", role, "--branch", "BJ", "--db", database])
        try #require(added.status == 0, "\(added.output)")
        return String(added.output.split(separator: "\n").last ?? "")
    }

    func codes(_ device: Device) async throws -> [String] {
        try await device.execOK("customer", "list", "--json").json().arrayValue?
            .compactMap { $0.objectValue?["code"]?.stringValue }.sorted() ?? []
    }

    func visitCount(_ device: Device) async throws -> Int {
        try await device.execOK("visit", "list", "--json").json().arrayValue?.count ?? -1
    }

    @Test func theBranchHeadHandsTheBookOverWhileBothSalespeopleAreOffline() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokens = (wang: try addUser("wang", role: "manager"), li: try addUser("li", role: "sales"), wu: try addUser("wu", role: "sales"))
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let (wang, li, wu) = (device("wang"), device("li"), device("wu"))
        try await wang.execOK("init", "--server", server.baseURL, "--token", tokens.wang)
        try await li.execOK("init", "--server", server.baseURL, "--token", tokens.li)
        try await wu.execOK("init", "--server", server.baseURL, "--token", tokens.wu)

        // Li's book: two customers (Li owns what Li creates), each visited once.
        try await li.execOK("customer", "add", "--code", "C-001", "--name", "Acme", "--kind", "enterprise", "--tier", "core")
        try await li.execOK("customer", "add", "--code", "C-002", "--name", "Beta", "--kind", "tenant", "--tier", "general")
        try await li.execOK("visit", "log", "--customer", "C-001", "--method", "onsite", "--summary", "first meeting")
        try await li.execOK("visit", "log", "--customer", "C-002", "--method", "phone")
        try await li.execOK("sync")
        try await wu.execOK("customer", "add", "--code", "W-001", "--name", "Wu's own", "--kind", "individual", "--tier", "potential")
        try await wu.execOK("sync")
        try await wang.execOK("sync")
        #expect(try await codes(wu) == ["W-001"], "a salesperson sees only its own customers")
        #expect(try await codes(wang) == ["C-001", "C-002", "W-001"], "the branch head sees the whole branch")
        let refusedEdit = try await li.exec("customer", "edit", "C-001", "--owner", "wu")
        #expect(refusedEdit.status == 1)
        #expect(refusedEdit.err.contains("Only managers"), "\(refusedEdit.err)")

        // Li is leaving. Offline, Li still logs a visit; Wu, offline too, works on their own customer.
        try await li.execOK("visit", "log", "--customer", "C-001", "--method", "phone", "--summary", "said goodbye")
        try await wu.execOK("customer", "edit", "W-001", "--notes", "call back")
        // The branch head hands Li's book to Wu from the manager's own device.
        let handed = try await wang.execOK("customer", "reassign", "--from", "li", "--to", "wu")
        #expect(handed.out.contains("2 customer(s)"), "\(handed.out)")
        try await wang.execOK("sync")

        // Wu's next sync brings the whole book, including the visits older than Wu's cursor.
        try await wu.execOK("sync")
        #expect(try await codes(wu) == ["C-001", "C-002", "W-001"])
        #expect(try await visitCount(wu) == 2)

        // Li's device: the unsent visit is refused and set aside; Li's customers leave the device.
        let liSync = try await li.exec("sync")
        #expect(liSync.status == 0, "\(liSync.err)")
        #expect(try await codes(li).isEmpty)
        #expect(try await visitCount(li) == 0)
        #expect(try await li.execOK("status", "--json").json().objectValue?["setAside"] == 1)
        let setAside = try await li.execOK("set-aside", "list").out
        #expect(setAside.contains("visit"), "\(setAside)")
        let exported = try await li.execOK("set-aside", "export").json()
        let kept = exported.objectValue?["setAside"]?.arrayValue ?? []
        #expect(kept.count == 1)
        #expect(kept.first?.objectValue?["record"]?.objectValue?["fields"]?.objectValue?["summary"]?.arrayValue?.first?
            .objectValue?["value"] == "said goodbye", "the refused edit is kept whole, for the manager")

        // Li's account is deactivated at once: the next sync is refused with a clear message.
        let deactivated = try ServerProcess.run(["user", "deactivate", "li", "--db", database])
        #expect(deactivated.status == 0, "\(deactivated.output)")
        let refused = try await li.exec("sync")
        #expect(refused.status == 1)
        #expect(refused.err.contains("refused the access token"), "\(refused.err)")
        #expect(try await codes(li).isEmpty)
        let rotate = try ServerProcess.run(["user", "rotate", "li", "--db", database])
        #expect(rotate.status == 1 && rotate.output.contains("reactivate"), "\(rotate.output)")

        // The audit log tells who did what, and the user list shows the state and last sync.
        let audit = try ServerProcess.run(["audit", "--db", database]).output
        #expect(audit.contains("wang  customer.assign  C-001"), "\(audit)")
        #expect(audit.contains("user.deactivate  li"), "\(audit)")
        let list = try ServerProcess.run(["user", "list", "--db", database]).output
        #expect(list.split(separator: "\n").contains { $0.hasPrefix("li ") && $0.contains("deactivated") }, "\(list)")
        #expect(try ServerProcess.run(["user", "list", "--inactive", "14", "--db", database]).output.contains("Every active user has synced"))
    }

    @Test func theServerAdministratorReassignsOneCustomerAndBothDevicesFollow() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokens = (li: try addUser("li", role: "sales"), wu: try addUser("wu", role: "sales"))
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let (li, wu) = (device("li"), device("wu"))
        try await li.execOK("init", "--server", server.baseURL, "--token", tokens.li)
        try await wu.execOK("init", "--server", server.baseURL, "--token", tokens.wu)
        try await li.execOK("customer", "add", "--code", "C-001", "--name", "Acme", "--kind", "enterprise", "--tier", "core")
        try await li.execOK("customer", "add", "--code", "C-002", "--name", "Beta", "--kind", "tenant", "--tier", "general")
        try await li.execOK("contact", "add", "--customer", "C-002", "--name", "Zhang San")
        try await li.execOK("sync")
        try await wu.execOK("sync")

        let moved = try ServerProcess.run(["customer", "reassign", "--from", "li", "--to", "wu", "--customer", "C-002", "--db", database])
        #expect(moved.status == 0, "\(moved.output)")
        #expect(moved.output.contains("C-002"))
        try await li.execOK("sync")
        try await wu.execOK("sync")
        #expect(try await codes(li) == ["C-001"])
        #expect(try await codes(wu) == ["C-002"])
        #expect(try await wu.execOK("contact", "list", "--json").json().arrayValue?.count == 1)
        #expect(try await li.execOK("set-aside", "list").out.contains("Nothing is set aside"))
        let unknown = try ServerProcess.run(["customer", "reassign", "--from", "li", "--to", "nobody", "--db", database])
        #expect(unknown.status == 1 && unknown.output.contains("nobody"))
    }
}
