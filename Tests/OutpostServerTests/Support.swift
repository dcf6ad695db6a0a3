import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

let nodeA = NodeID(unchecked: "node-a")
let nodeB = NodeID(unchecked: "node-b")

func ts(_ millis: Int64) -> HybridTimestamp { HybridTimestamp(millis: millis) }

/// A fresh lowercase UUID for a batch id.
func newBatch() -> String { UUID().uuidString.lowercased() }

/// The node id the test pushes are made under.
let testPushNode = NodeID(unchecked: "testnode")

/// A valid new customer written by `node`.
func makeCustomer(branch: String = "BJ", code: String = "C-001", id: RecordID = .random(), node: NodeID = nodeA,
                  at millis: Int64 = 1, extra: [String: JSONValue] = [:]) -> Record {
    var fields: [String: JSONValue] = ["code": .string(code), "name": "Acme", "kind": "enterprise", "tier": "core"]
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

    init() throws { server = try TestServer() }
    deinit { server.cleanUp() }

    var database: ServerDatabase { server.database }

    func user(_ name: String, role: Role = .sales, branch: String = "BJ") throws -> String {
        try server.addUser(name, role: role, branch: branch)
    }

    func send(_ method: String, _ path: String, token: String? = nil, query: [(String, String)] = [],
              headers: [String: String] = [:], body: [UInt8] = [], protocolHeader: Bool = true) -> TransportResponse {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        if protocolHeader && all[SyncProtocol.versionHeader] == nil { all[SyncProtocol.versionHeader] = "2" }
        if !body.isEmpty { all["Content-Type"] = "application/json" }
        return server.router.handle(TransportRequest(method: method, path: path, query: query, headers: all, body: body))
    }

    func pushBody(_ records: [Record], batch: String = newBatch()) -> [UInt8] {
        PushRequest(batch: BatchID(batch)!, node: testPushNode, records: records).jsonValue.serializedBytes()
    }

    func push(_ records: [Record], token: String, batch: String = newBatch()) -> TransportResponse {
        send("POST", "/v1/push", token: token, body: pushBody(records, batch: batch))
    }

    func pushRaw(_ body: String, token: String) -> TransportResponse {
        send("POST", "/v1/push", token: token, body: Array(body.utf8))
    }

    /// Pushes and requires a 200 answer.
    func pushOK(_ records: [Record], token: String, batch: String = newBatch(),
                sourceLocation: SourceLocation = #_sourceLocation) throws -> PushResponse {
        let response = push(records, token: token, batch: batch)
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
