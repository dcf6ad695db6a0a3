import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore
import OutpostTestSupport

// Shared helpers for the client tests: fixtures, a client factory, a fault-injecting transport,
// a seeded random generator and white-box reads of the databases (tests only).

enum Fixture {
    static func customer(_ code: String, name: String = "Acme", tier: String = "core") -> [String: JSONValue] {
        ["code": .string(code), "name": .string(name), "kind": "enterprise", "tier": .string(tier)]
    }

    static func contact(of customer: RecordID, name: String = "Wang Li") -> [String: JSONValue] {
        ["customer": .string(customer.rawValue), "name": .string(name)]
    }

    static let types: [EntityType] = [.customer, .contact, .visit, .complaint]
}

/// A client set up as `outpost init` would: a replica on a file in the server's temporary
/// directory, configured with the user's session.
struct Client {
    let name: String
    let path: String
    let token: String
    var replica: Replica

    /// An engine over `transport` (the in-process server by default).
    func engine(_ server: TestServer, transport: (any SyncTransport)? = nil, batchSize: Int = 500, pageSize: Int = 1000) -> SyncEngine {
        SyncEngine(replica: replica, api: SyncAPI(transport: transport ?? server.transport, token: token),
                   batchSize: batchSize, pageSize: pageSize)
    }

    /// Abandons the replica object and opens the same database file again, as a restarted process would.
    mutating func reopen() throws {
        replica = try Replica(path: path)
    }

    @discardableResult
    func sync(_ server: TestServer, transport: (any SyncTransport)? = nil, batchSize: Int = 500, pageSize: Int = 1000) async throws -> SyncReport {
        try await engine(server, transport: transport, batchSize: batchSize, pageSize: pageSize).sync()
    }
}

func makeClient(_ server: TestServer, _ name: String, role: Role = .manager, branch: String = "BJ") async throws -> Client {
    let token = try server.addUser(name, role: role, branch: branch)
    let path = server.path("\(name).db")
    let replica = try Replica(path: path)
    let session = try await SyncAPI(transport: server.transport, token: token).session()
    try replica.configure(ReplicaSettings(serverURL: "inproc://", token: token, user: session.user, role: session.role,
                                          branch: session.branch, serverID: session.serverID))
    return Client(name: name, path: path, token: token, replica: replica)
}

/// Every record a replica holds, deleted ones included, keyed by id.
func allRecords(_ replica: Replica) throws -> [RecordID: Record] {
    var result: [RecordID: Record] = [:]
    for type in Fixture.types {
        for record in try replica.records(type, includeDeleted: true) { result[record.id] = record }
    }
    return result
}

/// Every value a record holds for `field`, conflict siblings included.
func siblingValues(_ record: Record?, _ field: String) -> Set<JSONValue> {
    Set(record?.fields[field]?.siblings.map(\.value) ?? [])
}

/// White-box reads of a database file (the outbox of a replica, the batch table of the server).
enum Peek {
    static func strings(_ path: String, _ sql: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try db.fetchAll(sql: sql).compactMap { row -> String? in row[0] } }
    }

    static func count(_ path: String, _ sql: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try db.fetchScalar(sql: sql) ?? 0 }
    }

    /// Record ids waiting in a replica's outbox.
    static func outbox(_ path: String) throws -> Set<RecordID> {
        Set(try strings(path, "SELECT record_id FROM outbox").map { RecordID(unchecked: $0) })
    }

    /// Batches the server has applied (the sum of its nodes' push counts).
    static func serverBatches(_ server: TestServer) throws -> Int {
        try count(server.path("server.db"), "SELECT COALESCE(SUM(pushes), 0) FROM nodes")
    }
}

/// What a ``FaultyTransport`` does to one call.
enum Fault: Sendable, Hashable {
    /// The request never reaches the server.
    case dropRequest
    /// The server handles the request but the answer is lost on the way back.
    case dropResponse
}

/// A transport wrapping another one that loses requests or responses as its `plan` decides.
/// Calls other than `GET /v1/session` are numbered from 1. Both lost requests and lost responses surface as ``SyncError/unreachable(_:)``.
final class FaultyTransport: SyncTransport, @unchecked Sendable {
    struct Call: Sendable {
        var index: Int
        var request: TransportRequest
        var fault: Fault?
        /// The server's answer, also when it was lost.
        var response: TransportResponse?
    }

    private let inner: any SyncTransport
    private let lock = NSLock()
    private var plan: (Int, TransportRequest) -> Fault?
    private var _calls: [Call] = []

    init(_ inner: any SyncTransport, plan: @escaping (Int, TransportRequest) -> Fault? = { _, _ in nil }) {
        self.inner = inner
        self.plan = plan
    }

    /// A transport that fails call number `k` with `fault` and passes every other call.
    static func failing(call k: Int, with fault: Fault, over inner: any SyncTransport) -> FaultyTransport {
        FaultyTransport(inner) { index, _ in index == k ? fault : nil }
    }

    var calls: [Call] { lock.withLock { _calls } }

    func setPlan(_ plan: @escaping (Int, TransportRequest) -> Fault?) { lock.withLock { self.plan = plan } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        // The session check at the start of every sync is neither numbered nor failed: the plans
        // are about pushes and pulls.
        if request.path == "/v1/session" { return try await inner.send(request) }
        let (index, fault) = lock.withLock { () -> (Int, Fault?) in
            let index = _calls.count + 1
            let fault = plan(index, request)
            _calls.append(Call(index: index, request: request, fault: fault))
            return (index, fault)
        }
        if fault == .dropRequest { throw SyncError.unreachable("injected: request \(index) lost") }
        let response = try await inner.send(request)
        lock.withLock { _calls[index - 1].response = response }
        if fault == .dropResponse { throw SyncError.unreachable("injected: response \(index) lost") }
        return response
    }
}

/// SplitMix64: a small deterministic generator so a failing schedule can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
