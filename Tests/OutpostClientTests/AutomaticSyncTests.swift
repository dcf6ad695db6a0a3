import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// A transport whose server is down until `failing` is set to false; counts sync attempts
/// (each sync starts with `GET /v1/session`).
final class SwitchableTransport: SyncTransport, @unchecked Sendable {
    private let server: TestServer
    private let lock = NSLock()
    private var down = true
    private var sessions = 0

    init(_ server: TestServer) { self.server = server }

    var failing: Bool {
        get { lock.withLock { down } }
        set { lock.withLock { down = newValue } }
    }

    var attempts: Int { lock.withLock { sessions } }

    func resetAttempts() { lock.withLock { sessions = 0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let down = lock.withLock { () -> Bool in
            if request.path == "/v1/session" { sessions += 1 }
            return self.down
        }
        if down { throw SyncError.unreachable("connection refused (test)") }
        return server.router.handle(request)
    }
}

@Suite("Automatic sync: scheduling and backoff on a virtual clock")
struct AutomaticSyncTests {
    /// A configured client whose transport starts out failing.
    static func offlineClient(_ server: TestServer) async throws -> (OfflineClient, SwitchableTransport) {
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let transport = SwitchableTransport(server)
        transport.failing = false
        let client = try await OfflineClient.connect(databasePath: server.path("li.db"), serverURL: "inproc://", token: token,
                                                     transport: transport)
        transport.failing = true
        transport.resetAttempts()
        return (client, transport)
    }

    static let noJitter = SyncPolicy.Backoff(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0)

    @Test func backoffDoublesUpToItsCapAgainstAFailingServerAndStartsOverAfterASuccess() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (client, transport) = try await Self.offlineClient(server)
        let clock = VirtualSyncClock()
        let policy = SyncPolicy(debounce: .milliseconds(500), interval: nil, backoff: Self.noJitter)
        var mark = clock.mark
        await client.startSyncing(policy: policy, clock: clock, random: { 0.5 })
        // The first attempt runs at once; then 1, 2, 4, 8, 8 seconds between attempts.
        var expected: Duration = .zero
        for (attempt, delay) in [1, 2, 4, 8, 8].enumerated() {
            expected += .seconds(delay)
            let deadline = await clock.nextSleep(after: mark)
            mark = clock.mark
            #expect(deadline == expected, "after attempt \(attempt + 1)")
            #expect(transport.attempts == attempt + 1)
            guard case .offline(let retry?) = client.currentSyncStatus else {
                Issue.record("status \(client.currentSyncStatus)")
                break
            }
            #expect(retry.at == expected)
            #expect(retry.failures == attempt + 1)
            clock.advance(to: deadline)
        }
        // The server comes back: the next attempt succeeds and the status is idle.
        let deadline = await clock.nextSleep(after: mark)
        transport.failing = false
        var statuses = client.syncStatus().makeAsyncIterator()
        clock.advance(to: deadline)
        while await statuses.next() != .idle {}
        #expect(transport.attempts == 7)
        // After the success, a failure backs off from the start again: an edit syncs after the
        // debounce, fails, and the retry comes one second later.
        transport.failing = true
        mark = clock.mark
        try await client.create(.customer, fields: Fixture.customer("C-1"))
        let debounced = await clock.nextSleep(after: mark)
        #expect(debounced == clock.now + .milliseconds(500))
        mark = clock.mark
        clock.advance(to: debounced)
        let retry = await clock.nextSleep(after: mark)
        #expect(retry == debounced + .seconds(1))
        #expect(transport.attempts == 8)
        await client.stopSyncing()
        #expect(await !client.isSyncingAutomatically)
    }

    @Test func jitterStaysWithinItsBoundsAndTheCap() {
        let backoff = SyncPolicy.Backoff(initial: .seconds(2), multiplier: 3, maximum: .seconds(60), jitter: 0.25)
        for failures in 1...12 {
            let base = min(2 * pow(3, Double(failures - 1)), 60)
            let range = backoff.delayRange(afterFailures: failures)
            #expect(abs(range.lowerBound.seconds - base * 0.75) < 1e-6)
            #expect(abs(range.upperBound.seconds - min(base * 1.25, 60)) < 1e-6)
            for _ in 0..<50 {
                let delay = backoff.delay(afterFailures: failures, unit: Double.random(in: 0..<1))
                #expect(range.contains(delay))
                #expect(delay <= .seconds(60))
            }
        }
        // Years offline never overflow.
        #expect(backoff.delay(afterFailures: 100_000, unit: 0.5) == .seconds(60))
    }

    @Test func theSchedulerDrawsJitterForEachRetry() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (client, _) = try await Self.offlineClient(server)
        let clock = VirtualSyncClock()
        let backoff = SyncPolicy.Backoff(initial: .seconds(10), multiplier: 2, maximum: .seconds(100), jitter: 0.5)
        // Draws alternate between the lowest and the highest jitter.
        let draws = CallCounter()
        let start = clock.mark
        await client.startSyncing(policy: SyncPolicy(interval: nil, backoff: backoff), clock: clock, random: {
            draws.increment()
            return draws.value % 2 == 1 ? 0 : 0.999_999
        })
        var previous: Duration = .zero
        var mark = start
        for (failures, expected) in [(1, 5.0), (2, 30.0), (3, 20.0), (4, 100.0)] {
            let deadline = await clock.nextSleep(after: mark)
            #expect(abs((deadline - previous).seconds - expected) < 0.001, "after \(failures) failures")
            previous = deadline
            mark = clock.mark
            clock.advance(to: deadline)
        }
        await client.stopSyncing()
    }

    @Test func editsAreDebouncedIntoOneSyncAndTheNetworkReturningCutsTheBackoffShort() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (client, transport) = try await Self.offlineClient(server)
        transport.failing = false
        let clock = VirtualSyncClock()
        var statuses = client.syncStatus().makeAsyncIterator()
        var mark = clock.mark
        await client.startSyncing(policy: SyncPolicy(debounce: .seconds(2), maximumDelay: .seconds(5), interval: .seconds(60),
                                                     backoff: Self.noJitter), clock: clock, random: { 0.5 })
        // The first sync at start, then the periodic one is scheduled a minute later.
        #expect(await clock.nextSleep(after: mark) == .seconds(60))
        #expect(transport.attempts == 1)
        // Three edits one second apart: one sync, two seconds after the last.
        for second in 1...3 {
            clock.advance(to: .seconds(second))
            mark = clock.mark
            try await client.create(.customer, fields: Fixture.customer("C-\(second)"))
            #expect(await clock.nextSleep(after: mark) == .seconds(second + 2))
        }
        mark = clock.mark
        clock.advance(to: .seconds(5))
        #expect(await clock.nextSleep(after: mark) == .seconds(65))
        #expect(transport.attempts == 2)
        #expect(try await client.status().pendingChanges == 0)
        // Offline: the retry waits a second…
        transport.failing = true
        mark = clock.mark
        clock.advance(to: .seconds(65))
        #expect(await clock.nextSleep(after: mark) == .seconds(66))
        while true {
            if case .offline(_?) = await statuses.next() { break }
        }
        // …unless the app reports the network back first.
        transport.failing = false
        await client.networkBecameReachable()
        while await statuses.next() != .idle {}
        #expect(transport.attempts == 4)
        await client.stopSyncing()
    }

    @Test func stoppingWaitsForTheSyncInFlightAndNoSyncStartsAfterwards() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let gate = GatedTransport(server)
        let client = try await OfflineClient.connect(databasePath: server.path("li.db"), serverURL: "inproc://", token: token,
                                                     transport: gate)
        try await client.create(.customer, fields: Fixture.customer("C-1"))
        let clock = VirtualSyncClock()
        await client.startSyncing(policy: SyncPolicy(interval: .seconds(1)), clock: clock)
        await gate.firstPushArrived()
        let stopping = Task { await client.stopSyncing() }
        gate.releaseFirstPush()
        await stopping.value
        // The push went through completely before stopSyncing returned.
        #expect(try await client.status().pendingChanges == 0)
        #expect(client.currentSyncStatus == .idle)
        try await client.create(.customer, fields: Fixture.customer("C-2"))
        clock.advance(by: .seconds(3600))
        #expect(clock.sleepingUntil.isEmpty)
        #expect(await client.syncsStarted == 1)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
