import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// An older app meeting a newer server: records of entity types it does not know, fields it does
/// not know, and protocol versions (SPEC §12, §15).
@Suite("Forward compatibility and protocol negotiation")
struct ForwardCompatibilityTests {
    /// A transport that rewrites pull pages on their way back.
    struct RewritingTransport: SyncTransport {
        let inner: any SyncTransport
        let rewrite: @Sendable ([String: JSONValue]) -> [String: JSONValue]

        func send(_ request: TransportRequest) async throws -> TransportResponse {
            let response = try await inner.send(request)
            guard request.path == "/v1/pull", response.status == 200, case .object(let page) = try JSONValue.parse(response.body) else {
                return response
            }
            return TransportResponse(status: 200, headers: response.headers, body: JSONValue.object(rewrite(page)).serializedBytes())
        }
    }

    static let opportunity: JSONValue = .object([
        "id": "0b9e7c1a-0d3f-4e5a-8b6c-7d8e9f0a1b2c", "type": "opportunity", "branch": "BJ",
        "clock": .object(["f00dfeedf00dfeed": 1]),
        "fields": .object(["stage": .array([.object(["dot": .array(["f00dfeedf00dfeed", 1]), "hlc": .array([1795512600000, 0]),
                                                     "value": "negotiation"])])]),
    ])

    @Test func pageWithAnUnknownEntityTypeIsKeptOpaqueAndDoesNotStopTheSync() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let writer = try await makeClient(server, "writer")
        let customer = try writer.replica.create(.customer, fields: Fixture.customer("C-1"))
        try await writer.sync(server)
        let reader = try await makeClient(server, "reader")
        let newer = RewritingTransport(inner: server.transport) { page in
            var page = page
            page["records"] = .array((page["records"]?.arrayValue ?? []) + [Self.opportunity])
            return page
        }
        let report = try await reader.sync(server, transport: newer)
        #expect(report.pulled == 2)
        #expect(try reader.replica.record(customer.id) == writer.replica.record(customer.id))
        let opaque = try reader.replica.opaqueRecords()
        #expect(opaque.map(\.type) == ["opportunity"])
        #expect(try opaque.first.map { try JSONValue.parse($0.envelope) } == Self.opportunity, "kept as received")
        #expect(try reader.replica.records(.customer).count == 1, "never shown among known records")
        // The next sync goes on from the stored cursor.
        try await reader.sync(server, transport: newer)
        #expect(try reader.replica.opaqueRecords().count == 1)
    }

    @Test func unknownFieldOfAKnownTypeIsStoredAndPushedUnchanged() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let writer = try await makeClient(server, "writer")
        let customer = try writer.replica.create(.customer, fields: Fixture.customer("C-1"))
        try await writer.sync(server)
        let reader = try await makeClient(server, "reader")
        let newer = RewritingTransport(inner: server.transport) { page in
            var page = page
            page["records"] = .array((page["records"]?.arrayValue ?? []).map { item in
                guard case .object(var record) = item, case .object(var fields)? = record["fields"], let code = fields["code"]?.arrayValue?.first?.objectValue
                else { return item }
                fields["loyaltyPoints"] = .array([.object(["dot": code["dot"]!, "hlc": code["hlc"]!, "value": 42])])
                record["fields"] = .object(fields)
                return .object(record)
            })
            return page
        }
        try await reader.sync(server, transport: newer)
        let stored = try #require(try reader.replica.record(customer.id))
        #expect(stored.fields["loyaltyPoints"]?.winner?.value == 42)
        // An edit keeps the unknown field; the push carries it unchanged.
        try reader.replica.update(customer.id, fields: ["tier": "important"])
        let batch = try #require(try reader.replica.pendingBatch(limit: 10))
        #expect(batch.request.records.first?.fields["loyaltyPoints"] == stored.fields["loyaltyPoints"])
    }

    @Test func theHighestSharedVersionIsUsed() {
        #expect(SyncProtocol.negotiate(serverVersions: [1, 2, 3]) == 2)
        #expect(SyncProtocol.negotiate(serverVersions: [2]) == 2)
        #expect(SyncProtocol.negotiate(serverVersions: [3, 4]) == nil)
        #expect(SyncProtocol.negotiate(serverVersions: [1]) == nil)
    }

    /// A server whose versions this app does not speak: a clear error, nothing pushed or pulled.
    @Test(arguments: [([3, 4], "Update the app."), ([1], "update the server")])
    func noSharedVersionFailsWithAClearError(versions: [Int], advice: String) async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let calls = Calls()
        let other = InProcessTransport { request in
            calls.add(request)
            // A server of another generation: its session may differ in other members too.
            let body: JSONValue = .object(["user": "li", "protocolVersions": .array(versions.map { .int(Int64($0)) })])
            return TransportResponse(status: 200, body: body.serializedBytes())
        }
        do {
            try await client.sync(server, transport: other)
            Issue.record("the sync should fail")
        } catch let error as SyncError {
            #expect(error == .unsupportedProtocol(serverVersions: versions))
            #expect(error.description.contains(advice))
            #expect(error.description.contains("this app speaks 2"))
        }
        #expect(calls.all.map(\.path) == ["/v1/session"])
        #expect(try client.replica.pendingChangeCount() == 1, "edits are kept")
    }

    /// Every request after the session carries the negotiated version.
    @Test func everyRequestCarriesTheNegotiatedVersion() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let client = try await makeClient(server, "li")
        try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let calls = Calls()
        let inner = server.transport
        let recording = InProcessTransport { request in
            calls.add(request)
            return try await inner.send(request)
        }
        try await client.sync(server, transport: recording)
        let afterSession = calls.all.filter { $0.path != "/v1/session" }
        #expect(afterSession.map(\.path).contains("/v1/push"))
        #expect(afterSession.allSatisfy { $0.headers[SyncProtocol.versionHeader] == "2" })
    }
}

/// Requests seen by a test transport.
final class Calls: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [TransportRequest] = []
    func add(_ request: TransportRequest) { lock.withLock { requests.append(request) } }
    var all: [TransportRequest] { lock.withLock { requests } }
}
