import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// Collects progress reports from a sync.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [SyncProgress] = []
    func append(_ progress: SyncProgress) { lock.withLock { stored.append(progress) } }
    var phases: [SyncProgress.Phase] { lock.withLock { stored.map(\.phase) } }
    var last: SyncProgress? { lock.withLock { stored.last } }
}

@Suite("OfflineClient, the app-facing API")
struct OfflineClientTests {
    @Test func connectEditSyncAndReportProgress() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .manager, branch: "BJ")
        let li = try await OfflineClient.connect(databasePath: server.path("li.db"), serverURL: "inproc://", token: token,
                                                 transport: server.transport)
        let acme = try await li.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        try await li.create(.contact, fields: ["customer": .string(acme.id.rawValue), "name": "Wei", "phones": ["+86 10 1234"]])
        #expect(try await li.status().pendingChanges == 2)
        let log = ProgressLog()
        let report = try await li.sync { log.append($0) }
        #expect(report.pushed == 2)
        #expect(log.phases.first == .pushing)
        #expect(log.phases.last == .done)
        #expect(log.last?.pushed == 2)
        #expect(try await li.status().pendingChanges == 0)

        let wangToken = try server.addUser("wang", role: .manager, branch: "BJ")
        let wang = try await OfflineClient.connect(databasePath: server.path("wang.db"), serverURL: "inproc://",
                                                   token: wangToken, transport: server.transport)
        _ = try await wang.sync()
        #expect(try await wang.records(.contact, customer: acme.id).map { $0.value(of: "name") } == ["Wei"])
        // The CRM policy queries an app shows: a customer never visited is due; nothing is overdue yet.
        let now = try #require(Timestamps.parse("2026-03-01T00:00:00Z"))
        #expect(try await wang.customersDueForVisit(now: now).map(\.customer.id) == [acme.id])
        #expect(try await wang.overdueComplaints(now: now).isEmpty)
        #expect(try await wang.duplicateCustomerCodes().isEmpty)
    }

    @Test func anotherUserCannotSignInToAReplicaHoldingTheirRecords() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let liToken = try server.addUser("li", role: .manager, branch: "BJ")
        let wangToken = try server.addUser("wang", role: .sales, branch: "SH")
        let path = server.path("shared.db")
        let li = try await OfflineClient.connect(databasePath: path, serverURL: "inproc://", token: liToken, transport: server.transport)
        try await li.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        await #expect(throws: ReplicaError.belongsToAnotherUser(user: "li", records: 1, pendingChanges: 1)) {
            _ = try await OfflineClient.connect(databasePath: path, serverURL: "inproc://", token: wangToken, transport: server.transport)
        }
        #expect(try Replica(path: path).settings()?.user == "li", "nothing changed")
        // An empty replica may change hands.
        let fresh = server.path("fresh.db")
        _ = try await OfflineClient.connect(databasePath: fresh, serverURL: "inproc://", token: liToken, transport: server.transport)
        let wang = try await OfflineClient.connect(databasePath: fresh, serverURL: "inproc://", token: wangToken, transport: server.transport)
        #expect(try await wang.status().settings?.user == "wang")
    }

    @Test func syncBeforeConnectingSaysSo() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try OfflineClient(databasePath: server.path("new.db"), transport: server.transport)
        await #expect(throws: SyncError.notConfigured) { _ = try await client.sync() }
    }

    @Test func refusedTokenStoresNothing() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        await #expect(throws: SyncError.self) {
            _ = try await OfflineClient.connect(databasePath: server.path("x.db"), serverURL: "inproc://",
                                                token: "opt_wrong", transport: server.transport)
        }
        let reopened = try Replica(path: server.path("x.db"))
        #expect(try reopened.settings() == nil)
    }
}
