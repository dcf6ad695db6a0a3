import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore

/// A replica file damaged on disk: commands stop with a message pointing at `outpost doctor`,
/// which finds the damage and rebuilds the replica, keeping every unsent edit it can still read.
@Suite("outpost doctor: damaged replicas (real files, real executable)")
struct DamagedReplicaTests {
    static let notes = String(repeating: "Long visit notes. ", count: 80)

    /// The page numbers of the leaf pages of `table`, in file order.
    static func leafPages(of table: String, in path: String) throws -> [Int] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            try db.fetchColumn(Int.self, sql: "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                               arguments: [table])
        }
    }

    /// Overwrites page `number` (1-based) of the SQLite file at `path` with garbage.
    static func corruptPage(_ number: Int, of path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: 16)
        let sizeBytes = try #require(try handle.read(upToCount: 2))
        let raw = Int(sizeBytes[0]) << 8 | Int(sizeBytes[1])
        let pageSize = raw == 1 ? 65_536 : raw
        try handle.seek(toOffset: UInt64((number - 1) * pageSize))
        try handle.write(contentsOf: Data((0..<pageSize).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
        try handle.synchronize()
    }

    /// Alice syncs 120 customers, then edits all of them and adds 40 more offline: 160 unsent edits.
    static func aliceWithUnsentEdits(_ server: LoopbackServer) async throws -> Device {
        let alice = try await server.signedIn("alice")
        do {
            let replica = try Replica(path: alice.db)
            for index in 0..<120 {
                try replica.create(.customer, fields: ["code": .string("S-\(index)"), "name": .string("Synced \(index)"),
                                                       "kind": "enterprise", "tier": "core", "notes": .string(notes)])
            }
        }
        await alice.ok("sync")
        do {
            let replica = try Replica(path: alice.db)
            for customer in try replica.records(.customer) { try replica.update(customer.id, fields: ["tier": "important"]) }
            for index in 0..<40 {
                try replica.create(.customer, fields: ["code": .string("N-\(index)"), "name": .string("New \(index)"),
                                                       "kind": "tenant", "tier": "general", "notes": .string(notes)])
            }
            try #require(try replica.pendingChangeCount() == 160)
        }
        try #require(!FileManager.default.fileExists(atPath: alice.db + "-wal"), "the replica was closed and checkpointed")
        return alice
    }

    @Test func aCorruptPageStopsCommandsAndRepairSalvagesUnsentEditsThenSyncRestoresTheRest() async throws {
        let server = try LoopbackServer()
        let alice = try await Self.aliceWithUnsentEdits(server)
        let oldNode = try #require(try await alice.execOK("status", "--json").json().objectValue?["node"]?.stringValue)
        let leaves = try Self.leafPages(of: "records", in: alice.db)
        try #require(leaves.count > 4)
        try Self.corruptPage(leaves[leaves.count / 2], of: alice.db)

        // Commands that touch the damaged page stop, in words a field user understands.
        for arguments in [["customer", "list"], ["sync"]] {
            let result = try await alice.exec(arguments)
            #expect(result.status == 1, "outpost \(arguments.joined(separator: " ")) must fail")
            #expect(result.err.contains("The local database \(alice.db) is damaged"), "\(result.err)")
            #expect(result.err.contains("outpost doctor"), "\(result.err)")
            #expect(!result.err.contains("SQLite error"), "\(result.err)")
        }
        let bob = try await server.signedIn("bob")
        await bob.ok("sync")
        #expect(try await bob.ok("customer", "list", "--json").json().arrayValue?.count == 120, "the damaged replica sent nothing")

        let check = try await alice.exec("doctor")
        #expect(check.status == 1)
        #expect(check.out.contains("damaged"), "\(check.out)")
        #expect(check.out.contains("outpost doctor --repair"), "\(check.out)")

        let repair = try await alice.execOK("doctor", "--repair", "--json")
        let report = try #require(try repair.json().objectValue)
        let salvaged = Set(report["salvaged"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let lost = Set(report["lost"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(!salvaged.isEmpty)
        #expect(!lost.isEmpty, "the damaged page held some of the edited records")
        #expect(salvaged.count + lost.count == 160)
        #expect(salvaged.isDisjoint(with: lost))
        let movedTo = try #require(report["movedTo"]?.stringValue)
        #expect(movedTo.hasPrefix(alice.db + ".damaged-"))
        #expect(FileManager.default.fileExists(atPath: movedTo))
        #expect(report["previousNode"] == .string(oldNode))

        let status = try #require(try await alice.execOK("status", "--json").json().objectValue)
        #expect(status["node"] != .string(oldNode), "a rebuilt replica never reuses the old node id")
        #expect(status["server"] == .string(server.url))
        #expect(status["user"] == "alice")
        #expect(status["pendingChanges"] == .int(Int64(salvaged.count)))
        #expect(try await alice.exec("doctor").status == 0)

        try await alice.execOK("sync")
        let customers = try #require(try await alice.execOK("customer", "list", "--json").json().arrayValue?.compactMap(\.objectValue))
        let byID = Dictionary(uniqueKeysWithValues: customers.compactMap { customer in customer["id"]?.stringValue.map { ($0, customer) } })
        #expect(customers.filter { $0["code"]?.stringValue?.hasPrefix("S-") == true }.count == 120, "the server gave back every synced customer")
        #expect(customers.filter { $0["code"]?.stringValue?.hasPrefix("N-") == true }.count == 40 - lost.count { byID[$0] == nil })
        for id in salvaged {
            #expect(byID[id]?["tier"] != "core", "salvaged edit of \(id) kept")
        }
        for id in lost { if let customer = byID[id] { #expect(customer["tier"] == "core", "lost edit: the server's version") } }
        #expect(try await alice.execOK("status", "--json").json().objectValue?["pendingChanges"] == 0)

        await bob.ok("sync")
        let seenByBob = try #require(try await bob.ok("customer", "list", "--json").json().arrayValue?.compactMap(\.objectValue))
        let bobByID = Dictionary(uniqueKeysWithValues: seenByBob.compactMap { customer in customer["id"]?.stringValue.map { ($0, customer) } })
        for id in salvaged { #expect(bobByID[id] != nil && bobByID[id]?["tier"] != "core", "salvaged edit \(id) reached the server") }
    }

    @Test func aHeaderThatIsNotADatabaseIsReportedAndRepairStartsAnEmptyReplica() async throws {
        let server = try LoopbackServer()
        let alice = try await server.signedIn("alice")
        await alice.ok(acmeArguments)
        await alice.ok("sync")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: alice.db))
        try handle.write(contentsOf: Data(repeating: 0x42, count: 100))
        try handle.close()

        let status = try await alice.exec("status")
        #expect(status.status == 1)
        #expect(status.err.contains("The local database \(alice.db) is damaged"), "\(status.err)")
        #expect(status.err.contains("outpost doctor"), "\(status.err)")

        let check = try await alice.exec("doctor")
        #expect(check.status == 1)
        #expect(check.out.contains("not a database"), "\(check.out)")

        let repair = try await alice.execOK("doctor", "--repair")
        #expect(repair.out.contains("outpost init"), "the server and token could not be read: \(repair.out)")
        #expect(try await alice.execOK("status", "--json").json().objectValue?["server"] == .null)
        let token = try server.support.database.rotateToken(name: "alice")
        try await alice.execOK("init", "--server", server.url, "--token", token)
        try await alice.execOK("sync")
        #expect(try await alice.execOK("customer", "list", "--json").json().arrayValue?.count == 1)
    }
}
