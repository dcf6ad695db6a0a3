import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// Long-poll pulls (`GET /v1/pull?wait=…`, SPEC §9.3) and live sync, through a real server on
/// a loopback port.
@Suite("Long-poll pulls and live sync over HTTP")
struct LongPollTests {
    /// A server on port 0 and signed-in replicas of its users.
    final class Fixture: @unchecked Sendable {
        let support: TestServer
        let server: SyncServer
        var url: String { "http://127.0.0.1:\(server.port)" }

        init() throws {
            support = try TestServer()
            server = SyncServer(database: support.database, port: 0)
            try server.start()
        }

        func close() {
            server.shutdown()
            support.cleanUp()
        }

        /// A replica signed in as a new user, and its API.
        func device(_ name: String, role: Role, branch: String = "BJ") async throws -> (Replica, SyncAPI) {
            let token = try support.addUser(name, role: role, branch: branch)
            let api = SyncAPI(transport: try HTTPTransport(baseURL: url), token: token)
            let session = try await api.session()
            let replica = try Replica(path: support.path("\(name).db"))
            try replica.configure(ReplicaSettings(serverURL: url, token: token, user: session.user, role: session.role,
                                                  branch: session.branch, serverID: session.serverID))
            return (replica, api)
        }

        /// Waits (bounded) until the server holds `count` pulls, on a thread of its own (not
        /// blocking a thread of the shared concurrency pool, which the test's requests need).
        func held(_ count: Int) async -> Bool {
            let waiters = server.heldPulls
            return await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(returning: waiters.waitUntil(timeout: .seconds(60)) { $0 == count })
                }
            }
        }

        /// Returns once the server has looked at every announced change (off the shared pool).
        func settled() async {
            let waiters = server.heldPulls
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    waiters.settle()
                    continuation.resume()
                }
            }
        }
    }

    static func customer(_ code: String, name: String = "Acme") -> [String: JSONValue] {
        ["code": .string(code), "name": .string(name), "kind": "enterprise", "tier": "core"]
    }

    @Test(.timeLimit(.minutes(3)))
    func aHeldPullReturnsOnAChangeInScopeAndNeverWakesForRecordsOutsideIt() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let (li, liAPI) = try await fixture.device("li", role: .sales)
        let (wang, wangAPI) = try await fixture.device("wang", role: .sales)
        let (boss, bossAPI) = try await fixture.device("boss", role: .manager)
        let acme = try li.create(.customer, fields: Self.customer("C-1"))
        _ = try await SyncEngine(replica: li, api: liAPI).sync()
        _ = try await SyncEngine(replica: boss, api: bossAPI).sync()
        let cursor = try li.syncCursor()
        let held = Task { try await liAPI.pullPage(cursor: cursor, limit: 100, waitSeconds: 50) }
        #expect(await fixture.held(1))
        // Another salesperson's new customer is outside li's scope: li's pull stays held.
        try wang.create(.customer, fields: Self.customer("C-2", name: "Beta"))
        _ = try await SyncEngine(replica: wang, api: wangAPI).sync()
        await fixture.settled()
        #expect(fixture.server.heldPulls.heldCount == 1)
        // The branch head edits li's customer: the held pull answers with exactly that change.
        try boss.update(acme.id, fields: ["tier": "important"])
        _ = try await SyncEngine(replica: boss, api: bossAPI).sync()
        let page = try await held.value
        #expect(try page.page.records().map(\.id) == [acme.id])
        #expect(fixture.server.heldPulls.heldCount == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aChangeCommittedByAnotherServerProcessWakesAHeldPullThroughThePeriodicRecheck() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let (li, liAPI) = try await fixture.device("li", role: .sales)
        let acme = try li.create(.customer, fields: Self.customer("C-1"))
        _ = try await SyncEngine(replica: li, api: liAPI).sync()
        let cursor = try li.syncCursor()
        let held = Task { try await liAPI.pullPage(cursor: cursor, limit: 100, waitSeconds: 50) }
        #expect(await fixture.held(1))
        // Another server instance on the same database (as several instances share PostgreSQL):
        // its commits are not announced to this process, whose held pull finds them on its next
        // recheck (every second) instead of at the end of the 50 seconds.
        let other = fixture.support.postgresSchema != nil
            ? try fixture.support.openAnotherInstance() : try ServerDatabase(path: fixture.support.databasePath)
        let otherRouter = SyncRoutes.makeRouter(database: other)
        let bossToken = try other.addUser(name: "boss", role: .manager, branch: "BJ")
        let boss = try Replica(path: fixture.support.path("boss.db"))
        let bossAPI = SyncAPI(transport: InProcessTransport { request in otherRouter.handle(request) }, token: bossToken)
        let session = try await bossAPI.session()
        try boss.configure(ReplicaSettings(serverURL: "inproc://", token: bossToken, user: session.user, role: session.role,
                                           branch: session.branch, serverID: session.serverID))
        _ = try await SyncEngine(replica: boss, api: bossAPI).sync()
        try boss.update(acme.id, fields: ["tier": "important"])
        let started = ContinuousClock.now
        _ = try await SyncEngine(replica: boss, api: bossAPI).sync()
        let page = try await held.value
        #expect(try page.page.records().map(\.id) == [acme.id])
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test(.timeLimit(.minutes(3)))
    func aHeldPullReturnsAnEmptyPageWhenItsTimeIsUp() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let (li, liAPI) = try await fixture.device("li", role: .sales)
        try li.create(.customer, fields: Self.customer("C-1"))
        _ = try await SyncEngine(replica: li, api: liAPI).sync()
        let cursor = try li.syncCursor()
        let started = ContinuousClock.now
        let page = try await liAPI.pullPage(cursor: cursor, limit: 100, waitSeconds: 1)
        #expect(page.count == 0)
        #expect(!page.hasMore)
        #expect(page.cursor == cursor)
        #expect(ContinuousClock.now - started >= .milliseconds(900))
        #expect(!(try await liAPI.waitForChanges(after: cursor, waitSeconds: 1)))
    }

    @Test(.timeLimit(.minutes(3)))
    func aPullWithNewsIsAnsweredAtOnceAndTheWaitIsBounded() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let (li, liAPI) = try await fixture.device("li", role: .sales)
        try li.create(.customer, fields: Self.customer("C-1"))
        _ = try await SyncEngine(replica: li, api: liAPI).sync()
        // Everything from the start: news already, so no wait.
        #expect(try await liAPI.waitForChanges(after: nil, waitSeconds: 50))
        #expect(fixture.server.heldPulls.heldCount == 0)
        await #expect(throws: SyncError.self) {
            _ = try await liAPI.pullPage(cursor: nil, limit: 10, waitSeconds: SyncProtocol.maxPullWaitSeconds + 1)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func heldPullsAreAnsweredPromptlyWhenTheServerShutsDown() async throws {
        let fixture = try Fixture()
        defer { fixture.support.cleanUp() }
        let (li, liAPI) = try await fixture.device("li", role: .sales)
        try li.create(.customer, fields: Self.customer("C-1"))
        _ = try await SyncEngine(replica: li, api: liAPI).sync()
        let cursor = try li.syncCursor()
        let started = ContinuousClock.now
        let held = Task { try await liAPI.pullPage(cursor: cursor, limit: 100, waitSeconds: 60) }
        #expect(await fixture.held(1))
        let server = fixture.server
        let stopped = Task.detached { server.shutdown() }
        let page = try await held.value
        await stopped.value
        #expect(page.count == 0)
        #expect(page.cursor == cursor)
        // Answered at the shutdown, long before the 60 seconds asked for.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(fixture.server.heldPulls.heldCount == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func liveSyncCarriesEditsBetweenTwoOnlineDevices() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let liToken = try fixture.support.addUser("li", role: .sales, branch: "BJ")
        let bossToken = try fixture.support.addUser("boss", role: .manager, branch: "BJ")
        let li = try await OfflineClient.connect(databasePath: fixture.support.path("li.db"), serverURL: fixture.url, token: liToken)
        let boss = try await OfflineClient.connect(databasePath: fixture.support.path("boss.db"), serverURL: fixture.url,
                                                   token: bossToken)
        let live = SyncPolicy(debounce: .milliseconds(20), interval: nil, live: true)
        await li.startSyncing(policy: live)
        await boss.startSyncing(policy: live)
        let names: @Sendable (Replica) throws -> [String] = { replica in
            try replica.records(.customer).compactMap { $0.value(of: "name")?.stringValue }
        }
        var bossSees = boss.observe(tracking: [.customer], names).makeAsyncIterator()
        var liSees = li.observe(tracking: [.customer], names).makeAsyncIterator()
        #expect(try await bossSees.next() == [])
        #expect(try await liSees.next() == [])
        // li's edit reaches boss's screen, and boss's reaches li's, with no sync called by hand.
        let acme = try await li.create(.customer, fields: Self.customer("C-1", name: "Acme"))
        #expect(try await liSees.next() == ["Acme"])
        #expect(try await bossSees.next() == ["Acme"])
        try await boss.update(acme.id, fields: ["name": "Acme Trading"])
        #expect(try await bossSees.next() == ["Acme Trading"])
        #expect(try await liSees.next() == ["Acme Trading"])
        await li.stopSyncing()
        await boss.stopSyncing()
    }
}
