import Foundation
import Testing
import OutpostClient
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
        let branch: ServerDatabase
        let upstream: UpstreamSync
        let branchClient: SyncEngine
        let branchReplica: Replica
        let hqClient: SyncEngine
        let hqReplica: Replica

        init() throws {
            hq = try TestServer()
            branch = try ServerDatabase(path: hq.path("branch-server.db"))
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
        defer { s.hq.cleanUp() }
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
        defer { s.hq.cleanUp() }
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

/// Counts calls across tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
