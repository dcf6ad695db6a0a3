import Foundation
import Testing
import OutpostClient
import OutpostHTTP
import OutpostJSON
import OutpostModel
import OutpostRelay
import OutpostServer
import OutpostStore
import OutpostTestSupport

/// A branch office runs its own server; nightly it reconciles with headquarters.
@Suite("Branch server reconciles with headquarters")
struct UpstreamSyncTests {
    struct Setup {
        let hq: TestServer
        /// The branch server (on PostgreSQL too when configured: the relay's tables live beside the records).
        let branchServer: TestServer
        let branch: ServerDatabase
        let upstream: UpstreamSync
        let branchClient: SyncEngine
        let branchReplica: Replica
        let hqClient: SyncEngine
        let hqReplica: Replica

        /// `hqStorage`: `.sqlite` for tests that copy headquarters' database file.
        /// Removes both servers' folders (and PostgreSQL schemas).
        func cleanUp() {
            hq.cleanUp()
            branchServer.cleanUp()
        }

        init(hqStorage: TestStorage = .configured) throws {
            hq = try TestServer(storage: hqStorage)
            branchServer = try TestServer(storage: hqStorage)
            branch = branchServer.database
            let branchRouter = SyncRoutes.makeRouter(database: branch)
            upstream = UpstreamSync(database: branch, api: SyncAPI(transport: hq.transport,
                                                                   token: try hq.addUser("bj-office", role: .manager, branch: "BJ")),
                                    batchSize: 3, pageSize: 2)
            branchReplica = try Replica(path: hq.path("li.db"))
            branchClient = SyncEngine(replica: branchReplica, api: SyncAPI(
                transport: InProcessTransport { branchRouter.handle($0) },
                token: try branch.addUser(name: "li", role: .manager, branch: "BJ")))
            hqReplica = try Replica(path: hq.path("zhao.db"))
            hqClient = SyncEngine(replica: hqReplica, api: SyncAPI(transport: hq.transport, token: try hq.addUser("zhao", role: .hq, branch: "HQ")))
        }
    }

    static func customer(_ code: String) -> [String: JSONValue] {
        ["code": .string(code), "name": .string("Customer \(code)"), "kind": "enterprise", "tier": "core"]
    }

    @Test func editsOnBothSidesMeetAfterReconciliationConflictsIncluded() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let atBranch = try s.branchReplica.create(.customer, fields: Self.customer("B-1"), branch: "BJ")
        for index in 0..<4 { try s.branchReplica.create(.customer, fields: Self.customer("B-x\(index)"), branch: "BJ") }
        let atHQ = try s.hqReplica.create(.customer, fields: Self.customer("H-1"), branch: "BJ")
        let elsewhere = try s.hqReplica.create(.customer, fields: Self.customer("S-1"), branch: "SH")
        _ = try await s.branchClient.sync()
        _ = try await s.hqClient.sync()

        let first = try await s.upstream.run()
        #expect(first.pushed == 5)
        _ = try await s.branchClient.sync()
        _ = try await s.hqClient.sync()
        #expect(try s.branchReplica.record(atHQ.id) == s.hqReplica.record(atHQ.id))
        #expect(try s.hqReplica.record(atBranch.id) == s.branchReplica.record(atBranch.id))
        #expect(try s.branchReplica.record(elsewhere.id) == nil, "the branch token only reads its own branch")

        // The same field edited at the branch and at headquarters: a conflict on both sides.
        try s.branchReplica.update(atBranch.id, fields: ["name": "From the branch"])
        try s.hqReplica.update(atBranch.id, fields: ["name": "From headquarters"])
        _ = try await s.branchClient.sync()
        _ = try await s.hqClient.sync()
        _ = try await s.upstream.run()
        _ = try await s.branchClient.sync()
        _ = try await s.hqClient.sync()
        let branchView = try #require(try s.branchReplica.record(atBranch.id))
        #expect(branchView == (try s.hqReplica.record(atBranch.id)))
        #expect(Set(branchView.fields["name"]?.siblings.map(\.value) ?? []) == ["From the branch", "From headquarters"])

        // Running again changes nothing on either server.
        _ = try await s.upstream.run()
        let quiet = try await s.upstream.run()
        #expect(quiet.pushed == 0)
        #expect(quiet.changedHere == 0)
    }

    @Test func interruptedReconciliationResumesWithoutLosingOrDuplicating() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        for index in 0..<7 { try s.branchReplica.create(.customer, fields: Self.customer("B-\(index)"), branch: "BJ") }
        _ = try await s.branchClient.sync()
        // Headquarters goes away after two requests; the run fails part-way.
        let calls = Counter()
        let flaky = UpstreamSync(database: s.branch, api: SyncAPI(transport: InProcessTransport { request in
            guard calls.next() <= 2 else { throw SyncError.unreachable("headquarters offline") }
            return try await s.hq.transport.send(request)
        }, token: s.upstream.api.token), batchSize: 3, pageSize: 2)
        await #expect(throws: SyncError.self) { _ = try await flaky.run() }
        _ = try await s.upstream.run()
        _ = try await s.hqClient.sync()
        #expect(try s.hqReplica.records(.customer).count == 7)
        #expect(try s.hqReplica.conflictCount() == 0)
    }
}

extension UpstreamSyncTests {
    /// The case from the integrity issue: the customer is re-edited after its contact was made, so
    /// by seq the contact comes first; in a batch of its own it reached headquarters before its
    /// customer (422 "customer unknown") and every later run failed the same way.
    @Test func customerReEditedAfterItsContactStillReachesHeadquartersFirst() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let customer = try s.branchReplica.create(.customer, fields: Self.customer("B-1"), branch: "BJ")
        _ = try await s.branchClient.sync()
        let contact = try s.branchReplica.create(.contact, fields: ["customer": .string(customer.id.rawValue), "name": "Wang"])
        _ = try await s.branchClient.sync()
        try s.branchReplica.update(customer.id, fields: ["tier": "important"])
        _ = try await s.branchClient.sync()

        let oneByOne = UpstreamSync(database: s.branch, api: s.upstream.api, batchSize: 1, pageSize: 2)
        let report = try await oneByOne.run()
        #expect(report.pushed == 2)
        #expect(report.setAside == 0)
        _ = try await s.hqClient.sync()
        #expect(try s.hqReplica.record(customer.id)?.value(of: "tier") == "important")
        #expect(try s.hqReplica.record(contact.id)?.value(of: "name") == "Wang")
    }

    /// A record headquarters refuses is set aside and reported; it no longer stops the run, or later runs.
    @Test func aRefusedRecordIsSetAsideAndLaterRunsGoOn() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        // A branch user with a wider role writes a record outside the branch token's scope at headquarters.
        let bossReplica = try Replica(path: s.hq.path("boss.db"))
        let branchRouter = SyncRoutes.makeRouter(database: s.branch)
        let boss = SyncEngine(replica: bossReplica, api: SyncAPI(transport: InProcessTransport { branchRouter.handle($0) },
                                                                 token: try s.branch.addUser(name: "boss", role: .hq, branch: "HQ")))
        let outside = try bossReplica.create(.customer, fields: Self.customer("S-1"), branch: "SH")
        _ = try await boss.sync()
        let inside = try s.branchReplica.create(.customer, fields: Self.customer("B-1"), branch: "BJ")
        _ = try await s.branchClient.sync()

        let first = try await s.upstream.run()
        #expect(first.setAside == 1)
        #expect(first.refused.map(\.record) == [outside.id])
        #expect(first.refused.first?.code == "forbidden")
        #expect(first.pushed == 1)
        _ = try await s.hqClient.sync()
        #expect(try s.hqReplica.record(inside.id) != nil)
        #expect(try s.hqReplica.record(outside.id) == nil)

        // Later runs are not stuck; the refused record stays reported until it changes.
        let later = try s.branchReplica.create(.customer, fields: Self.customer("B-2"), branch: "BJ")
        _ = try await s.branchClient.sync()
        let second = try await s.upstream.run()
        #expect(second.setAside == 0)
        #expect(second.refused.map(\.record) == [outside.id])
        _ = try await s.hqClient.sync()
        #expect(try s.hqReplica.record(later.id) != nil)
    }

    /// Relay pushes say `relay: true`, use one persistent node id across runs and chain each batch
    /// after the previous acknowledged one.
    @Test func relayPushesChainUnderOnePersistentNode() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let pushes = PushLog()
        let hqTransport = s.hq.transport
        let logged = UpstreamSync(database: s.branch, api: SyncAPI(transport: InProcessTransport { request in
            if request.path == "/v1/push" { pushes.append(try PushRequest(json: JSONValue.parse(request.body))) }
            return try await hqTransport.send(request)
        }, token: s.upstream.api.token), batchSize: 2, pageSize: 2)
        for index in 0..<3 { try s.branchReplica.create(.customer, fields: Self.customer("B-\(index)"), branch: "BJ") }
        _ = try await s.branchClient.sync()
        _ = try await logged.run()
        try s.branchReplica.create(.customer, fields: Self.customer("B-9"), branch: "BJ")
        _ = try await s.branchClient.sync()
        // A new UpstreamSync value (another run of the process) over the same database.
        let again = UpstreamSync(database: s.branch, api: logged.api, batchSize: 2, pageSize: 2)
        _ = try await again.run()

        let sent = pushes.all
        #expect(sent.count >= 3)
        #expect(sent.allSatisfy { $0.relay })
        #expect(Set(sent.map(\.node)).count == 1, "one relay node id across runs")
        #expect(sent.first?.after == nil)
        for (previous, next) in zip(sent, sent.dropFirst()) {
            #expect(next.after == previous.batch, "each batch chained after the previous one")
        }
        #expect(try s.branch.upstreamState().node == sent.first?.node)
    }
}

extension UpstreamSyncTests {
    /// Headquarters behind a switchable database, so a test can restore it from a backup (a new
    /// epoch, as `outpost-server restore` begins), answering `POST /v1/diff` as the protocol-2
    /// server does.
    final class RestorableHQ: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var database: ServerDatabase
        private var router: Router
        private var path: String

        init(_ hq: TestServer) {
            database = hq.database
            router = hq.router
            path = hq.path("server.db")
        }

        var transport: InProcessTransport {
            InProcessTransport { request in try self.handle(request) }
        }

        func backup(to destination: String) throws {
            let queue = try DatabaseQueue(path: lock.withLock { path })
            try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO '\(destination)'") }
        }

        func restore(from backup: String, to destination: String) throws {
            try FileManager.default.copyItem(atPath: backup, toPath: destination)
            let previous = lock.withLock { database.epoch }
            try DatabaseQueue(path: destination).write { db in
                let earlier: String = try db.fetchScalar(sql: "SELECT value FROM server_meta WHERE key = 'epoch'") ?? ""
                let hasEpochs: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'epochs'") ?? 0
                if hasEpochs == 1 {
                    for old in Set([earlier, previous]) {
                        try db.execute(sql: "INSERT INTO epochs(epoch, ended_at) VALUES (?, 0) ON CONFLICT(epoch) DO NOTHING", arguments: [old])
                    }
                }
                try db.execute(sql: "UPDATE server_meta SET value = ? WHERE key = 'epoch'", arguments: [NodeID.random().rawValue])
            }
            let restored = try ServerDatabase(path: destination)
            lock.withLock {
                chain = [:]
                database = restored
                router = SyncRoutes.makeRouter(database: restored)
                path = destination
            }
        }

        func records() throws -> [RecordID: Record] {
            try DatabaseQueue(path: lock.withLock { path }).read { db in
                var result: [RecordID: Record] = [:]
                for row in try db.fetchAll(sql: "SELECT id, state FROM records") {
                    let id = RecordID(unchecked: row[0] ?? "")
                    result[id] = try RecordTable.decode(row[1] ?? "", id: id)
                }
                return result
            }
        }

        private var chain: [String: String] = [:]
        private var applied: Set<String> = []

        func handle(_ request: TransportRequest) throws -> TransportResponse {
            if request.path == "/v1/push" {
                // The node chain of SPEC §10.5, as the protocol-2 server keeps it.
                let push = try PushRequest(json: JSONValue.parse(request.body))
                let replay = lock.withLock { applied.contains(push.batch.rawValue) }
                if !replay, let last = lock.withLock({ chain[push.node.rawValue] }), last != push.after?.rawValue {
                    return TransportResponse(status: 409, body: ErrorBody(code: "node_reused", message: "Node reused.").jsonValue.serializedBytes())
                }
                let response = lock.withLock { router }.handle(request)
                if response.status == 200 && !replay {
                    lock.withLock {
                        applied.insert(push.batch.rawValue)
                        chain[push.node.rawValue] = push.batch.rawValue
                    }
                }
                return response
            }
            if request.path == "/v1/diff" {
                let diff = try DiffRequest(json: JSONValue.parse(request.body))
                let stored = try records()
                let missing = diff.records.filter { !(stored[$0.id]?.clock.dominates($0.clock) ?? false) }.map(\.id)
                return TransportResponse(status: 200, body: DiffResponse(missing: missing).jsonValue.serializedBytes())
            }
            return lock.withLock { router }.handle(request)
        }
    }

    /// Headquarters is restored from a backup: the branch's next run re-offers what it lost.
    @Test func relayRestoresHeadquartersAfterARestore() async throws {
        let s = try Setup(hqStorage: .sqlite)
        defer { s.cleanUp() }
        let hq = RestorableHQ(s.hq)
        let relay = UpstreamSync(database: s.branch, api: SyncAPI(transport: hq.transport, token: s.upstream.api.token),
                                 batchSize: 3, pageSize: 2)
        let early = try s.branchReplica.create(.customer, fields: Self.customer("B-1"), branch: "BJ")
        _ = try await s.branchClient.sync()
        _ = try await relay.run()
        try hq.backup(to: s.hq.path("hq-backup.db"))

        var late: [RecordID] = []
        for index in 0..<4 { late.append(try s.branchReplica.create(.customer, fields: Self.customer("B-L\(index)"), branch: "BJ").id) }
        try s.branchReplica.update(early.id, fields: ["tier": "important"])
        _ = try await s.branchClient.sync()
        _ = try await relay.run()
        #expect(try hq.records()[late[0]] != nil)

        try hq.restore(from: s.hq.path("hq-backup.db"), to: s.hq.path("hq-restored.db"))
        #expect(try hq.records()[late[0]] == nil, "the restore lost them")
        let report = try await relay.run()
        #expect(report.recovered == 5)
        let onHQ = try hq.records()
        for id in late { #expect(onHQ[id] != nil) }
        #expect(onHQ[early.id]?.value(of: "tier") == "important")
        #expect(try s.branch.upstreamState().recoveringFrom == nil)
        let quiet = try await relay.run()
        #expect(quiet.recovered == 0)
    }
}

extension UpstreamSyncTests {
    /// The branch database is copied (e.g. restored from a file backup onto a new machine) and both
    /// copies relay: the second one under the shared relay node is told `node_reused`, takes a new
    /// relay node id and goes on; nothing is lost or stuck.
    @Test func copiedBranchDatabaseTakesANewRelayNode() async throws {
        let s = try Setup(hqStorage: .sqlite)
        defer { s.cleanUp() }
        let hq = RestorableHQ(s.hq)
        let api = SyncAPI(transport: hq.transport, token: s.upstream.api.token)
        try s.branchReplica.create(.customer, fields: Self.customer("B-1"), branch: "BJ")
        _ = try await s.branchClient.sync()
        _ = try await UpstreamSync(database: s.branch, api: api).run()

        let copyPath = s.hq.path("branch-copy.db")
        try DatabaseQueue(path: s.branchServer.databasePath).writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM INTO '\(copyPath)'")
        }
        let copy = try ServerDatabase(path: copyPath)
        #expect(try copy.upstreamState().node == s.branch.upstreamState().node)
        let atOriginal = try s.branchReplica.create(.customer, fields: Self.customer("B-2"), branch: "BJ")
        _ = try await s.branchClient.sync()
        _ = try await UpstreamSync(database: s.branch, api: api).run()

        // The copy gets a change of its own through one of its clients, then relays.
        let copyRouter = SyncRoutes.makeRouter(database: copy)
        let copyReplica = try Replica(path: s.hq.path("copy-client.db"))
        let copyClient = SyncEngine(replica: copyReplica, api: SyncAPI(transport: InProcessTransport { copyRouter.handle($0) },
                                                                        token: try copy.addUser(name: "wu", role: .manager, branch: "BJ")))
        let atCopy = try copyReplica.create(.customer, fields: Self.customer("B-3"), branch: "BJ")
        _ = try await copyClient.sync()
        let report = try await UpstreamSync(database: copy, api: api).run()
        #expect(report.nodeChanges == 1)
        #expect(report.setAside == 0)
        #expect(try copy.upstreamState().node != s.branch.upstreamState().node)
        let onHQ = try hq.records()
        #expect(onHQ[atOriginal.id] != nil)
        #expect(onHQ[atCopy.id] != nil)
        // The original goes on under its own node.
        let again = try await UpstreamSync(database: s.branch, api: api).run()
        #expect(again.nodeChanges == 0)
    }
}

/// Collects push requests across tasks.
final class PushLog: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [PushRequest] = []
    func append(_ request: PushRequest) { lock.withLock { requests.append(request) } }
    var all: [PushRequest] { lock.withLock { requests } }
}

/// Counts calls across tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
