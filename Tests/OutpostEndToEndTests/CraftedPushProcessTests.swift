import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

/// Crafted pushes of the integrity issue sent over loopback to the real `outpost-server` process
/// (SPEC §10.3, §14): each is refused with its status and code, nothing it carries is stored, and
/// the server goes on serving honest devices.
@Suite("Crafted pushes against a real server process")
struct CraftedPushProcessTests {
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A server with a manager (`wang`), a sales user (`li`) and an auditor of one database, and a
    /// customer written by the manager's device and owned by the sales user (so its pushes reach the checks behind scope).
    final class Setup: @unchecked Sendable {
        let directory: URL
        let server: ServerProcess
        let transport: HTTPTransport
        let manager: String
        let sales: String
        let auditor: String
        let managerNode = NodeID.random()
        let salesNode = NodeID.random()
        let stored: Record
        /// The stored record as it was between its delete and its restore.
        let deletedVersion: Record
        /// The manager device's acknowledged batch.
        let managerBatch = BatchID.random()

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-crafted-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = directory.appendingPathComponent("server.db").path
            func add(_ name: String, _ role: String, _ branch: String) throws -> String {
                let added = try ServerProcess.run(["user", "add", name, "--role", role, "--branch", branch, "--db", database])
                try #require(added.status == 0, "\(added.output)")
                return try #require(added.output.split(separator: "\n").last.map(String.init))
            }
            manager = try add("wang", "manager", "BJ")
            sales = try add("li", "sales", "BJ")
            auditor = try add("qian", "auditor", "HQ")
            server = try ServerProcess(database: database)
            transport = try HTTPTransport(baseURL: server.baseURL)
            var record = Record.create(id: .random(), type: .customer, branch: "BJ",
                                       fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core", "owner": "li"],
                                       node: managerNode, at: HybridTimestamp(millis: CraftedPushProcessTests.now - 60_000))
            try record.delete(node: managerNode, at: HybridTimestamp(millis: CraftedPushProcessTests.now - 50_000))
            deletedVersion = record
            try record.restore(node: managerNode, at: HybridTimestamp(millis: CraftedPushProcessTests.now - 40_000))
            stored = record
            _ = try await SyncAPI(transport: transport, token: manager).push(PushRequest(batch: managerBatch, node: managerNode, records: [record]))
        }

        deinit {
            _ = server.terminate()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Sends a raw push body and returns status and error code.
        func push(_ body: [UInt8], token: String) async throws -> (status: Int, code: String) {
            let response = try await transport.send(TransportRequest(method: "POST", path: "/v1/push", headers: [
                "Authorization": "Bearer \(token)", SyncProtocol.versionHeader: "2", "Content-Type": "application/json",
            ], body: body))
            let code = (try? ErrorBody(json: JSONValue.parse(response.body)).code) ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            return (response.status, code)
        }

        func push(_ records: [Record], token: String, node: NodeID, after: BatchID? = nil, relay: Bool = false) async throws -> (status: Int, code: String) {
            try await push(PushRequest(batch: .random(), node: node, after: after, relay: relay, records: records).jsonValue.serializedBytes(), token: token)
        }

        /// What the server holds, pulled by the manager.
        func records() async throws -> [Record] {
            try await SyncAPI(transport: transport, token: manager).pull(cursor: nil, limit: 1000).records
        }
    }

    /// The version with one more write of `node` (its next dot) of `values`.
    static func next(_ record: Record, node: NodeID, _ values: [String: JSONValue], at millis: Int64 = now) throws -> Record {
        var copy = record
        try copy.write(values, node: node, at: HybridTimestamp(millis: millis))
        return copy
    }

    @Test func eachCraftedPushIsRefusedAndNothingIsStored() async throws {
        let s = try await Setup()
        let stored = s.stored
        let managerNode = s.managerNode
        let salesNode = s.salesNode
        var cases: [(name: String, expected: (Int, String), result: (status: Int, code: String))] = []

        // 4: a write forged under the manager's node with counter 2^63−1.
        var fields = stored.fields
        fields["tier"] = Register(Sibling(dot: Dot(node: managerNode, counter: VectorClock.maxCounter), timestamp: HybridTimestamp(millis: Self.now), value: "general"))
        let forged = Record(id: stored.id, type: .customer, branch: "BJ",
                            clock: stored.clock.merged(with: VectorClock([managerNode: VectorClock.maxCounter])), fields: fields, lifecycle: stored.lifecycle)
        cases.append(("forged foreign write", (403, "forbidden"), try await s.push([forged], token: s.sales, node: salesNode)))

        // 3: the old delete sibling re-sent inside a version whose clock dominates the restored one.
        var staleFields = stored.fields
        staleFields["notes"] = Register(Sibling(dot: Dot(node: salesNode, counter: 1), timestamp: HybridTimestamp(millis: Self.now), value: "gone"))
        let staleDelete = Record(id: stored.id, type: .customer, branch: "BJ", clock: stored.clock.merged(with: VectorClock([salesNode: 1])),
                                 fields: staleFields, lifecycle: s.deletedVersion.lifecycle)
        cases.append(("stale delete in a dominating clock", (403, "forbidden"), try await s.push([staleDelete], token: s.sales, node: salesNode)))

        // 3: a sales delete, and a sales restore through a covering clock without the lifecycle.
        var salesDelete = stored
        try salesDelete.delete(node: salesNode, at: HybridTimestamp(millis: Self.now))
        cases.append(("sales delete", (403, "forbidden"), try await s.push([salesDelete], token: s.sales, node: salesNode)))
        let covering = Record(id: stored.id, type: .customer, branch: "BJ",
                              clock: stored.clock.merged(with: VectorClock([salesNode: 1])), fields: stored.fields)
        cases.append(("restore by covering clock", (403, "forbidden"), try await s.push([covering], token: s.sales, node: salesNode)))

        // 3: an auditor's empty batch; a push under another user's node; a sales relay.
        cases.append(("auditor empty batch", (403, "forbidden"), try await s.push([], token: s.auditor, node: NodeID.random())))
        cases.append(("another user's node", (409, "node_reused"),
                      try await s.push([try Self.next(stored, node: managerNode, ["notes": "x"])], token: s.sales, node: managerNode)))
        cases.append(("sales relay", (403, "forbidden"),
                      try await s.push([try Self.next(stored, node: salesNode, ["notes": "x"])], token: s.sales, node: salesNode, relay: true)))

        // 1: the same dot with other content; equal clocks with a field left out.
        var twinFields = stored.fields
        let nameSibling = stored.fields["name"]!.siblings[0]
        twinFields["name"] = Register(Sibling(dot: nameSibling.dot, timestamp: nameSibling.timestamp, value: "Other"))
        let twin = Record(id: stored.id, type: .customer, branch: "BJ", clock: stored.clock, fields: twinFields, lifecycle: stored.lifecycle)
        cases.append(("same dot other content", (409, "dot_reused"), try await s.push([twin], token: s.manager, node: managerNode, after: s.managerBatch)))

        // (every write claimed with the same dots, one re-stamped at another time)
        var stripped = stored.fields
        let kind = stored.fields["kind"]!.siblings[0]
        stripped["kind"] = Register(Sibling(dot: kind.dot, timestamp: HybridTimestamp(millis: kind.timestamp.millis + 1), value: kind.value))
        let equalClock = Record(id: stored.id, type: .customer, branch: "BJ", clock: stored.clock, fields: stripped, lifecycle: stored.lifecycle)
        cases.append(("equal clock other content", (409, "dot_reused"), try await s.push([equalClock], token: s.manager, node: managerNode, after: s.managerBatch)))

        // 5: poison timestamps: past the year 9999, and in 2100.
        var poisonFields = stored.fields
        poisonFields["notes"] = Register(Sibling(dot: Dot(node: salesNode, counter: 1), timestamp: HybridTimestamp(millis: .max, logical: .max), value: "x"))
        let poison = Record(id: stored.id, type: .customer, branch: "BJ", clock: stored.clock.merged(with: VectorClock([salesNode: 1])),
                            fields: poisonFields, lifecycle: stored.lifecycle)
        cases.append(("hlc [2^63-1, 2^32-1]", (400, "invalid_request"), try await s.push([poison], token: s.sales, node: salesNode)))
        cases.append(("stamped in 2100", (422, "clock_ahead"),
                      try await s.push([try Self.next(stored, node: salesNode, ["notes": "x"], at: 4_102_444_800_000)], token: s.sales, node: salesNode)))

        // 6: unbounded sizes, refused quickly.
        let started = ContinuousClock.now
        cases.append(("80,000 siblings", (413, "record_too_large"),
                      try await s.push(Self.rawPush(Self.envelope(siblings: 80_000, clockEntries: 1), node: salesNode), token: s.sales)))
        cases.append(("100,000-entry clock", (413, "record_too_large"),
                      try await s.push(Self.rawPush(Self.envelope(siblings: 1, clockEntries: 100_000), node: salesNode), token: s.sales)))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(20), "oversized records take \(elapsed) to refuse")
        cases.append(("300 KiB register", (413, "record_too_large"),
                      try await s.push([try Self.next(stored, node: salesNode, ["notes": .string(String(repeating: "x", count: 300 * 1024))])],
                                       token: s.sales, node: salesNode)))

        for item in cases {
            #expect(item.result.status == item.expected.0 && item.result.code == item.expected.1,
                    "\(item.name): answered \(item.result.status) \(item.result.code), expected \(item.expected.0) \(item.expected.1)")
        }
        #expect(try await s.records() == [stored], "nothing crafted was stored")
        // The server still serves an honest edit of the sales device.
        let honest = try await s.push([try Self.next(stored, node: salesNode, ["notes": "visited"])], token: s.sales, node: salesNode)
        #expect(honest.status == 200, "\(honest.code)")
        #expect(try await s.records().first?.value(of: "notes") == "visited")
    }

    /// A customer envelope with `siblings` siblings in `name` and `clockEntries` clock entries, as raw JSON.
    static func envelope(siblings: Int, clockEntries: Int) -> [UInt8] {
        var out = Array(#"{"branch":"BJ","clock":{"#.utf8)
        let nodes = max(siblings, clockEntries)
        for index in 0..<nodes {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "\"n\(index)\":1".utf8)
        }
        out.append(contentsOf: #"},"fields":{"code":[{"dot":["n0",1],"hlc":[1,0],"value":"C-9"}],"kind":[{"dot":["n0",1],"hlc":[1,0],"value":"enterprise"}],"tier":[{"dot":["n0",1],"hlc":[1,0],"value":"core"}],"name":["#.utf8)
        for index in 0..<siblings {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"dot\":[\"n\(index)\",1],\"hlc\":[\(index + 1),0],\"value\":\"v\(index)\"}".utf8)
        }
        out.append(contentsOf: "]},\"id\":\"\(RecordID.random().rawValue)\",\"type\":\"customer\"}".utf8)
        return out
    }

    static func rawPush(_ envelope: [UInt8], node: NodeID) -> [UInt8] {
        Array("{\"batch\":\"\(BatchID.random().rawValue)\",\"node\":\"\(node.rawValue)\",\"after\":null,\"records\":[".utf8) + envelope + Array("]}".utf8)
    }
}
