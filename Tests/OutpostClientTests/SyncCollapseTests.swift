import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// A transport in front of the in-process server that holds the first push until released,
/// and counts the pushes and pulls that reach the server.
final class GatedTransport: SyncTransport, @unchecked Sendable {
    private let server: TestServer
    private let lock = NSLock()
    private var pushes = 0, pulls = 0
    private var arrived: CheckedContinuation<Void, Never>?
    private var arrivedAlready = false
    private var release: CheckedContinuation<Void, Never>?
    private var released = false

    init(_ server: TestServer) { self.server = server }

    var pushCount: Int { lock.withLock { pushes } }
    var pullCount: Int { lock.withLock { pulls } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        if request.path == "/v1/push" {
            let first = lock.withLock { () -> Bool in
                pushes += 1
                return pushes == 1
            }
            if first {
                let waiter = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                    arrivedAlready = true
                    defer { arrived = nil }
                    return arrived
                }
                waiter?.resume()
                await withCheckedContinuation { continuation in
                    let go = lock.withLock { () -> Bool in
                        if released { return true }
                        release = continuation
                        return false
                    }
                    if go { continuation.resume() }
                }
            }
        }
        if request.path == "/v1/pull" { lock.withLock { pulls += 1 } }
        return server.router.handle(request)
    }

    /// Waits until the first push is being held.
    func firstPushArrived() async {
        await withCheckedContinuation { continuation in
            let now = lock.withLock { () -> Bool in
                if arrivedAlready { return true }
                arrived = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets the held push through.
    func releaseFirstPush() {
        let waiter = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            released = true
            defer { release = nil }
            return release
        }
        waiter?.resume()
    }
}

@Suite("Concurrent syncs collapse into one")
struct SyncCollapseTests {
    @Test func aSecondSyncJoinsTheRunningOneInsteadOfPushingTheBatchAgain() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let gate = GatedTransport(server)
        let client = try await OfflineClient.connect(databasePath: server.path("li.db"), serverURL: "inproc://", token: token,
                                                     transport: gate)
        try await client.create(.customer, fields: Fixture.customer("C-1"))
        try await client.create(.customer, fields: Fixture.customer("C-2"))
        let first = Task { try await client.sync() }
        await gate.firstPushArrived()
        let second = Task { try await client.sync() }
        while await client.waitingSyncCallers < 2 { await Task.yield() }
        gate.releaseFirstPush()
        let (a, b) = (try await first.value, try await second.value)
        #expect(a == b)
        #expect(a.pushed == 2)
        #expect(gate.pushCount == 1)
        #expect(await client.syncsStarted == 1)
        #expect(try await client.status().pendingChanges == 0)
        // Once it has finished, the next call starts a new sync.
        _ = try await client.sync()
        #expect(await client.syncsStarted == 2)
        #expect(gate.pushCount == 1)
    }

    @Test func manyConcurrentCallersShareOneSyncAndTheCursorOnlyMovesForward() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let writer = try await makeClient(server, "wang")
        for index in 0..<30 { try writer.replica.create(.customer, fields: Fixture.customer("C-\(index)")) }
        try await writer.sync(server)
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let gate = GatedTransport(server)
        let client = try await OfflineClient.connect(databasePath: server.path("li.db"), serverURL: "inproc://", token: token,
                                                     transport: gate)
        try await client.create(.customer, fields: Fixture.customer("L-1"))
        let reports = Task {
            try await withThrowingTaskGroup(of: SyncReport.self) { group in
                for _ in 0..<8 { group.addTask { try await client.sync() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        await gate.firstPushArrived()
        while await client.waitingSyncCallers < 8 { await Task.yield() }
        gate.releaseFirstPush()
        let all = try await reports.value
        #expect(Set(all).count == 1)
        #expect(all.first?.pulled == 31)
        #expect(gate.pushCount == 1)
        #expect(await client.syncsStarted == 1)
        #expect(try await client.records(.customer).count == 31)
    }
}
