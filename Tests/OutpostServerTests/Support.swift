import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostHTTP
import OutpostServer
import OutpostTestSupport

let nodeA = NodeID(unchecked: "node-a")
let nodeB = NodeID(unchecked: "node-b")

func ts(_ millis: Int64) -> HybridTimestamp { HybridTimestamp(millis: millis) }

/// A fresh lowercase UUID for a batch id.
func newBatch() -> String { UUID().uuidString.lowercased() }

/// The node id test pushes of no records are made under.
let testPushNode = NodeID(unchecked: "testnode")

/// The node a test push is made under: the writer of the newest write in the batch (so a record
/// made by `nodeB` is pushed by `nodeB`, as a real device pushes only its own writes).
func pushingNode(of records: [Record]) -> NodeID {
    var newest: (HybridTimestamp, Dot)?
    for record in records {
        for sibling in record.fields.values.flatMap(\.siblings) where newest.map({ ($0.0, $0.1) < (sibling.timestamp, sibling.dot) }) ?? true {
            newest = (sibling.timestamp, sibling.dot)
        }
        for sibling in record.lifecycle.siblings where newest.map({ ($0.0, $0.1) < (sibling.timestamp, sibling.dot) }) ?? true {
            newest = (sibling.timestamp, sibling.dot)
        }
    }
    return newest?.1.node ?? testPushNode
}

/// The last acknowledged batch of each (token, node), so test pushes chain like a device's (SPEC §10.5).
final class PushChains: @unchecked Sendable {
    // Safety: `chains` is only touched while holding `lock`.
    private let lock = NSLock()
    private var chains: [String: BatchID] = [:]
    private var owners: [NodeID: String] = [:]

    /// `node`, unless another token has pushed under it: then a node of this token's own (a
    /// device pushes only for its user; re-pushing versions the server holds needs no particular node).
    func node(_ node: NodeID, token: String) -> NodeID {
        lock.withLock {
            guard let owner = owners[node], owner != token else { return node }
            return NodeID(unchecked: "own-" + String(token.suffix(16)))
        }
    }

    func after(token: String, node: NodeID) -> BatchID? {
        lock.withLock { chains["\(token) \(node.rawValue)"] }
    }

    func acknowledge(token: String, node: NodeID, batch: BatchID) {
        lock.withLock {
            chains["\(token) \(node.rawValue)"] = batch
            owners[node] = owners[node] ?? token
        }
    }
}

/// A valid new customer written by `node`, owned by `owner` (the salesperson "li" of most tests;
/// `nil` for none).
func makeCustomer(branch: String = "BJ", code: String = "C-001", id: RecordID = .random(), node: NodeID = nodeA,
                  at millis: Int64 = 1, owner: String? = "li", extra: [String: JSONValue] = [:]) -> Record {
    var fields: [String: JSONValue] = ["code": .string(code), "name": "Acme", "kind": "enterprise", "tier": "core"]
    if let owner { fields["owner"] = .string(owner) }
    for (name, value) in extra { fields[name] = value }
    return Record.create(id: id, type: .customer, branch: branch, fields: fields, node: node, at: ts(millis))
}

/// A copy of `record` with `values` written by `node`.
func edited(_ record: Record, _ values: [String: JSONValue], node: NodeID = nodeA, at millis: Int64 = 2) throws -> Record {
    var copy = record
    try copy.write(values, node: node, at: ts(millis))
    return copy
}

/// A test server plus helpers that speak the HTTP API in-process.
final class Harness: Sendable {
    let server: TestServer
    let database: ServerDatabase
    let router: Router
    let chains: PushChains
    private let ownsDirectory: Bool

    /// `storage`: `.sqlite` for tests of database files (backups, restores, what the file holds).
    init(storage: TestStorage = .configured, maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) throws {
        server = try TestServer(storage: storage)
        database = server.database
        router = SyncRoutes.makeRouter(database: server.database, maxClockSkewMillis: maxClockSkewMillis)
        chains = PushChains()
        ownsDirectory = true
    }

    /// A harness on another database file of `other`'s directory (e.g. one restored from a backup),
    /// keeping `other`'s push chains as the devices would. On PostgreSQL, `path` is `other`'s own
    /// database file: the harness is then another server instance on `other`'s database.
    init(reopening path: String, like other: Harness, maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) throws {
        server = other.server
        if other.server.postgresSchema != nil && path == other.server.databasePath {
            database = try other.server.openAnotherInstance()
        } else {
            database = try ServerDatabase(path: path)
        }
        router = SyncRoutes.makeRouter(database: database, maxClockSkewMillis: maxClockSkewMillis)
        chains = other.chains
        ownsDirectory = false
    }

    deinit { if ownsDirectory { server.cleanUp() } }

    func user(_ name: String, role: Role = .sales, branch: String = "BJ") throws -> String {
        try database.addUser(name: name, role: role, branch: branch)
    }

    func send(_ method: String, _ path: String, token: String? = nil, query: [(String, String)] = [],
              headers: [String: String] = [:], body: [UInt8] = [], protocolHeader: Bool = true) -> TransportResponse {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        if protocolHeader && all[SyncProtocol.versionHeader] == nil { all[SyncProtocol.versionHeader] = "2" }
        if !body.isEmpty { all["Content-Type"] = "application/json" }
        let response = router.handle(TransportRequest(method: method, path: path, query: query, headers: all, body: body))
        // An acknowledged push advances its node's chain, as on a device.
        if method == "POST", path == "/v1/push", response.status == 200, let token,
            let request = try? PushRequest(json: JSONValue.parse(body)) {
            chains.acknowledge(token: token, node: request.node, batch: request.batch)
        }
        return response
    }

    /// A push body chained after the node's last acknowledged batch; `node` defaults to ``pushingNode(of:)``.
    func pushBody(_ records: [Record], batch: String = newBatch(), token: String? = nil, node: NodeID? = nil,
                  relay: Bool = false, recoveringFrom: String? = nil) -> [UInt8] {
        let node = node ?? token.map { chains.node(pushingNode(of: records), token: $0) } ?? pushingNode(of: records)
        let after = token.flatMap { chains.after(token: $0, node: node) }
        return PushRequest(batch: BatchID(batch)!, node: node, after: after, relay: relay, recoveringFrom: recoveringFrom,
                           records: records).jsonValue.serializedBytes()
    }

    func push(_ records: [Record], token: String, batch: String = newBatch(), node: NodeID? = nil, relay: Bool = false,
              recoveringFrom: String? = nil) -> TransportResponse {
        send("POST", "/v1/push", token: token,
             body: pushBody(records, batch: batch, token: token, node: node, relay: relay, recoveringFrom: recoveringFrom))
    }

    func pushRaw(_ body: String, token: String) -> TransportResponse {
        send("POST", "/v1/push", token: token, body: Array(body.utf8))
    }

    /// Pushes and requires a 200 answer.
    func pushOK(_ records: [Record], token: String, batch: String = newBatch(), node: NodeID? = nil, recoveringFrom: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> PushResponse {
        let response = push(records, token: token, batch: batch, node: node, recoveringFrom: recoveringFrom)
        try #require(response.status == 200, "push answered \(response.status): \(response.text)", sourceLocation: sourceLocation)
        return try decodePush(response)
    }

    func pull(token: String, cursor: String? = nil, limit: Int? = nil) -> TransportResponse {
        var query: [(String, String)] = []
        if let cursor { query.append(("cursor", cursor)) }
        if let limit { query.append(("limit", String(limit))) }
        return send("GET", "/v1/pull", token: token, query: query)
    }

    /// Pulls one page and requires a 200 answer.
    func pullPage(token: String, cursor: String? = nil, limit: Int? = nil,
                  sourceLocation: SourceLocation = #_sourceLocation) throws -> PullPage {
        let response = pull(token: token, cursor: cursor, limit: limit)
        try #require(response.status == 200, "pull answered \(response.status): \(response.text)", sourceLocation: sourceLocation)
        return try PullPage(json: JSONValue.parse(response.body))
    }

    /// Pulls every page from `cursor` on.
    func pullAll(token: String, cursor: String? = nil, limit: Int? = nil) throws -> (records: [Record], cursor: String) {
        var records: [Record] = []
        var cursor = cursor
        while true {
            let page = try pullPage(token: token, cursor: cursor, limit: limit)
            records += page.records
            cursor = page.cursor
            if !page.hasMore { return (records, page.cursor) }
        }
    }

    func session(token: String?) -> TransportResponse { send("GET", "/v1/session", token: token) }
}

func decodePush(_ response: TransportResponse) throws -> PushResponse {
    try PushResponse(json: JSONValue.parse(response.body))
}

/// The protocol error body of a response.
func errorBody(_ response: TransportResponse) throws -> ErrorBody {
    try ErrorBody(json: JSONValue.parse(response.body))
}

/// Expects an error response with `status` and `code`, and returns its body.
@discardableResult
func expectError(_ response: TransportResponse, _ status: Int, _ code: String,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> ErrorBody {
    #expect(response.status == status, "body: \(response.text)", sourceLocation: sourceLocation)
    let body = try errorBody(response)
    #expect(body.code == code, "message: \(body.message)", sourceLocation: sourceLocation)
    return body
}

extension TransportResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
