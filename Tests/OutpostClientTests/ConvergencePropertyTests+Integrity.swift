import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostStore
import OutpostTestSupport

// The integrity events of the randomized convergence schedules: copied replica files, devices
// restored from old snapshots, server backups and restores, and a hostile peer's crafted pushes.

extension ConvergencePropertyTests.Schedule {
    /// At most this many replicas (copies and restored snapshots included).
    static let maximumClients = 7

    func integrityStep() async throws {
        let i = Int.random(in: 0..<clients.count, using: &rng)
        let roll = Int.random(in: 0..<100, using: &rng)
        switch roll {
        case 0..<12 where clients.count < Self.maximumClients:  // a copied laptop: the file goes to another device of the same user
            let viaSQLite = chance(50)
            copies += 1
            let path = server.path("\(clients[i].name)-copy\(copies).db")
            if viaSQLite {
                try Self.snapshot(clients[i].path, to: path)
            } else {
                try Self.copyFile(clients[i].path, to: path)
            }
            clients.append(Client(name: "\(clients[i].name)-copy\(copies)", path: path, token: clients[i].token,
                                  replica: try Replica(path: path)))
            log.append("\(i) copied to \(clients.count - 1) (\(viaSQLite ? "sqlite backup" : "file and wal"))")
        case 12..<24:  // a device backup of the replica, restored later
            copies += 1
            let path = server.path("\(clients[i].name)-snapshot\(copies).db")
            try Self.snapshot(clients[i].path, to: path)
            replicaSnapshots.append((i, path))
            log.append("\(i) snapshot \(replicaSnapshots.count - 1)")
        case 24..<34 where clients.count < Self.maximumClients:  // restore an old snapshot on a new device; the original goes on
            guard let (of, snapshot) = pick(replicaSnapshots) else { return }
            copies += 1
            let path = server.path("\(clients[of].name)-restored\(copies).db")
            try FileManager.default.copyItem(atPath: snapshot, toPath: path)
            clients.append(Client(name: "\(clients[of].name)-restored\(copies)", path: path, token: clients[of].token,
                                  replica: try Replica(path: path)))
            log.append("snapshot of \(of) restored as \(clients.count - 1)")
        case 34..<46:  // server backup while serving
            serverBackups.append(try server.backup())
            log.append("server backup \(serverBackups.count - 1)")
        case 46..<54:  // server restored from one of its backups: a new epoch
            guard let index = pick(Array(serverBackups.indices)) else { return }
            let summary = try server.restore(from: serverBackups[index])
            log.append("server restored from backup \(index) (epoch \(summary.epoch))")
        default:  // a hostile peer's crafted push
            try await hostilePush()
        }
    }

    /// A consistent copy of a replica database through SQLite (`VACUUM INTO`), as a backup tool makes.
    static func snapshot(_ source: String, to destination: String) throws {
        let queue = try DatabaseQueue(path: source)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
    }

    /// A plain file copy of a replica database and its write-ahead log, as copying a laptop's disk does.
    static func copyFile(_ source: String, to destination: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
        if FileManager.default.fileExists(atPath: source + "-wal") {
            try FileManager.default.copyItem(atPath: source + "-wal", toPath: destination + "-wal")
        }
    }

    /// Sends one crafted push and checks it is refused as SPEC §10 says and changes nothing.
    func hostilePush() async throws {
        guard let hostile else { return }
        let stored = try server.records()
        let nodes = try server.nodeOwners()
        let kinds = HostilePeer.Attack.allCases
        let kind = pick(kinds)!
        let target = pick(ordered(Array(stored.values)))
        guard let crafted = try hostile.craft(kind, target: target, stored: stored, nodes: nodes,
                                              deletedVersions: deletedVersions, ordered: ordered, rng: &rng)
        else { return }
        let response = try await server.transport.send(crafted.request)
        attacks[kind, default: 0] += 1
        log.append("hostile \(kind) on \(target?.id.rawValue ?? "-") → \(response.status)")
        let code = (try? ErrorBody(json: JSONValue.parse(response.body)).code) ?? "?"
        #expect(response.status == crafted.status && code == crafted.code,
                "seed \(seed): hostile \(kind) answered \(response.status) \(code), expected \(crafted.status) \(crafted.code): \(String(decoding: response.body, as: UTF8.self).prefix(300))")
        #expect(try server.records() == stored, "seed \(seed): hostile \(kind) changed the server's records")
        #expect(try server.nodeOwners() == nodes, "seed \(seed): hostile \(kind) enrolled a node")
    }
}

/// A sales user of the honest replicas' branch, a sales user of another branch and an auditor,
/// sending crafted pushes straight through the transport (SPEC §10.3–§10.5).
struct HostilePeer {
    enum Attack: String, CaseIterable, CustomStringConvertible {
        /// A write under another device's node with counter 2^63−1.
        case forgedForeignWrite
        /// An old delete sibling re-sent inside a version whose clock dominates the restored record.
        case staleDeleteInDominatingClock
        /// A restore by a sales user: a covering clock without the lifecycle.
        case restoreByCoveringClock
        /// A delete by a sales user.
        case salesDelete
        /// The same dot as a victim's write with other content.
        case sameDotOtherContent
        /// The stored clock with a field left out.
        case equalClockOtherContent
        /// A write stamped in the year 2100.
        case farFutureTimestamp
        /// A write stamped [2^63−1, 2^32−1], past the year 9999 (a poison value: later edits could not advance it).
        case poisonTimestamp
        /// A 300 KiB register.
        case oversizedRegister
        /// A push under a node enrolled by another user.
        case anotherUsersNode
        /// An auditor's push (an edit or an empty batch).
        case auditorPush
        /// A sales user of another branch editing this branch's record.
        case otherBranch
        /// A sales user asking to relay.
        case salesRelay

        var description: String { rawValue }
    }

    struct Crafted {
        var request: TransportRequest
        var status: Int
        var code: String
    }

    static let marker = "EVIL-"
    /// 2100-01-01T00:00:00Z.
    static let year2100: Int64 = 4_102_444_800_000

    let mallory: String
    let malloryNode: NodeID
    let eve: String
    let eveNode: NodeID
    let auditor: String
    let auditorNode: NodeID

    init(_ server: TestServer, seed: UInt64) throws {
        mallory = try server.addUser("mallory", role: .sales, branch: "BJ")
        eve = try server.addUser("eve", role: .sales, branch: "SH")
        auditor = try server.addUser("audrey", role: .auditor, branch: "HQ")
        malloryNode = NodeID(unchecked: "mallory-\(seed)")
        eveNode = NodeID(unchecked: "eve-\(seed)")
        auditorNode = NodeID(unchecked: "audrey-\(seed)")
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Every hostile value a set of records holds (field values carrying the marker).
    static func hostileValues(in records: [RecordID: Record]) -> [String] {
        var found: [String] = []
        for record in records.values {
            for (name, register) in record.fields {
                for sibling in register.siblings {
                    if case .string(let text) = sibling.value, text.hasPrefix(marker) { found.append("\(record.id).\(name)") }
                    if sibling.timestamp.millis > now + 3_600_000 { found.append("\(record.id).\(name) stamped \(sibling.timestamp)") }
                }
            }
        }
        return found
    }

    func request(_ records: [Record], token: String, node: NodeID, relay: Bool = false) -> TransportRequest {
        // Every crafted push is refused, so the hostile nodes are never enrolled: `after` stays null.
        let body = PushRequest(batch: .random(), node: node, after: nil, relay: relay, records: records).jsonValue.serializedBytes()
        return TransportRequest(method: "POST", path: "/v1/push", headers: [
            "Authorization": "Bearer \(token)", SyncProtocol.versionHeader: String(SyncProtocol.currentVersion),
            "Content-Type": "application/json",
        ], body: body)
    }

    /// Text fields a sales user may write (`owner` is for managers, SPEC §8.4).
    static let salesTextFields = (ConvergencePropertyTests.customerTextFields + ConvergencePropertyTests.contactTextFields)
        .filter { $0 != "owner" }

    /// A text field of `record`'s type a sales user may write.
    static func textField(of record: Record, rng: inout SeededGenerator) -> String {
        let names = (record.type == .customer ? ConvergencePropertyTests.customerTextFields : ConvergencePropertyTests.contactTextFields)
            .filter { salesTextFields.contains($0) }
        return names[Int.random(in: 0..<names.count, using: &rng)]
    }

    /// `record` with `values` written by `node` (its next dot) at `millis`.
    static func edit(_ record: Record, _ values: [String: JSONValue], node: NodeID, at millis: Int64 = now) throws -> Record {
        var copy = record
        try copy.write(values, node: node, at: HybridTimestamp(millis: millis))
        return copy
    }

    /// The crafted push of `kind` against `target`, or `nil` when the current state offers no target for it.
    func craft(_ kind: Attack, target: Record?, stored: [RecordID: Record], nodes: [NodeID: String],
               deletedVersions: [RecordID: Record], ordered: ([Record]) -> [Record],
               rng: inout SeededGenerator) throws -> Crafted? {
        let evil = JSONValue.string(Self.marker + String(UInt32.random(in: 0...UInt32.max, using: &rng), radix: 16))
        switch kind {
        case .forgedForeignWrite:
            guard let target, let victim = target.clock.sortedEntries.map(\.node).first(where: { $0 != malloryNode }) else { return nil }
            let dot = Dot(node: victim, counter: VectorClock.maxCounter)
            var fields = target.fields
            fields[Self.textField(of: target, rng: &rng)] = Register(Sibling(dot: dot, timestamp: HybridTimestamp(millis: Self.now), value: evil))
            let forged = Record(id: target.id, type: target.type, branch: target.branch,
                                clock: target.clock.merged(with: VectorClock([victim: VectorClock.maxCounter])),
                                fields: fields, lifecycle: target.lifecycle)
            return Crafted(request: request([forged], token: mallory, node: malloryNode), status: 403, code: "forbidden")
        case .staleDeleteInDominatingClock:
            // A record an honest manager deleted and that is live again now.
            guard let deleted = ordered(Array(deletedVersions.values)).first(where: { deleted in
                guard let current = stored[deleted.id] else { return false }
                return !current.isDeleted && current.lifecycle != deleted.lifecycle
            }), let current = stored[deleted.id] else { return nil }
            let id = deleted.id
            var clock = current.clock.merged(with: deleted.clock)
            let dot = Dot(node: malloryNode, counter: clock[malloryNode] + 1)
            clock.merge(VectorClock([malloryNode: dot.counter]))
            var fields = current.fields
            fields[Self.textField(of: current, rng: &rng)] = Register(Sibling(dot: dot, timestamp: HybridTimestamp(millis: Self.now), value: evil))
            let sneaky = Record(id: id, type: current.type, branch: current.branch, clock: clock, fields: fields, lifecycle: deleted.lifecycle)
            return Crafted(request: request([sneaky], token: mallory, node: malloryNode), status: 403, code: "forbidden")
        case .restoreByCoveringClock:
            guard let target = ordered(Array(stored.values)).first(where: \.isDeleted) else { return nil }
            var clock = target.clock
            let dot = Dot(node: malloryNode, counter: clock[malloryNode] + 1)
            clock.merge(VectorClock([malloryNode: dot.counter]))
            var fields = target.fields
            fields[Self.textField(of: target, rng: &rng)] = Register(Sibling(dot: dot, timestamp: HybridTimestamp(millis: Self.now), value: evil))
            let sneaky = Record(id: target.id, type: target.type, branch: target.branch, clock: clock, fields: fields)
            return Crafted(request: request([sneaky], token: mallory, node: malloryNode), status: 403, code: "forbidden")
        case .salesDelete:
            guard let target, !target.isDeleted else { return nil }
            var deleted = target
            try deleted.delete(node: malloryNode, at: HybridTimestamp(millis: Self.now))
            return Crafted(request: request([deleted], token: mallory, node: malloryNode), status: 403, code: "forbidden")
        case .sameDotOtherContent:
            guard let target else { return nil }
            let candidates = target.fields.keys.sorted().filter { name in
                Self.salesTextFields.contains(name)
                    && target.fields[name]!.siblings.contains { $0.dot.node != malloryNode }
            }
            guard let name = candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &rng)] else { return nil }
            var siblings = target.fields[name]!.siblings
            let index = siblings.firstIndex { $0.dot.node != malloryNode }!
            siblings[index] = Sibling(dot: siblings[index].dot, timestamp: siblings[index].timestamp, value: evil)
            var fields = target.fields
            fields[name] = Register(siblings: siblings)
            let twin = Record(id: target.id, type: target.type, branch: target.branch, clock: target.clock, fields: fields, lifecycle: target.lifecycle)
            return Crafted(request: request([twin], token: mallory, node: malloryNode), status: 409, code: "dot_reused")
        case .equalClockOtherContent:
            guard let target else { return nil }
            let optional = ["industry", "address", "region", "notes", "title"].filter { target.fields[$0] != nil }
            guard let name = optional.isEmpty ? nil : optional[Int.random(in: 0..<optional.count, using: &rng)] else { return nil }
            var fields = target.fields
            fields[name] = nil
            let stripped = Record(id: target.id, type: target.type, branch: target.branch, clock: target.clock, fields: fields, lifecycle: target.lifecycle)
            return Crafted(request: request([stripped], token: mallory, node: malloryNode), status: 409, code: "dot_reused")
        case .farFutureTimestamp:
            guard let target, !target.isDeleted else { return nil }
            let edited = try Self.edit(target, [Self.textField(of: target, rng: &rng): evil], node: malloryNode, at: Self.year2100)
            return Crafted(request: request([edited], token: mallory, node: malloryNode), status: 422, code: "clock_ahead")
        case .poisonTimestamp:
            guard let target, !target.isDeleted else { return nil }
            var clock = target.clock
            let dot = Dot(node: malloryNode, counter: clock[malloryNode] + 1)
            clock.merge(VectorClock([malloryNode: dot.counter]))
            var fields = target.fields
            fields[Self.textField(of: target, rng: &rng)] = Register(Sibling(dot: dot, timestamp: HybridTimestamp(millis: .max, logical: .max), value: evil))
            let poisoned = Record(id: target.id, type: target.type, branch: target.branch, clock: clock, fields: fields, lifecycle: target.lifecycle)
            return Crafted(request: request([poisoned], token: mallory, node: malloryNode), status: 400, code: "invalid_request")
        case .oversizedRegister:
            guard let target, !target.isDeleted else { return nil }
            let huge = JSONValue.string(evil.stringValue! + String(repeating: "x", count: 300 * 1024))
            let edited = try Self.edit(target, [Self.textField(of: target, rng: &rng): huge], node: malloryNode)
            return Crafted(request: request([edited], token: mallory, node: malloryNode), status: 413, code: "record_too_large")
        case .anotherUsersNode:
            guard let target, !target.isDeleted,
                let (victim, _) = nodes.sorted(by: { $0.key < $1.key }).first(where: { $0.value != "mallory" })
            else { return nil }
            let edited = try Self.edit(target, [Self.textField(of: target, rng: &rng): evil], node: victim)
            return Crafted(request: request([edited], token: mallory, node: victim), status: 409, code: "node_reused")
        case .auditorPush:
            guard let target, !target.isDeleted, Bool.random(using: &rng) else {
                return Crafted(request: request([], token: auditor, node: auditorNode), status: 403, code: "forbidden")
            }
            let edited = try Self.edit(target, [Self.textField(of: target, rng: &rng): evil], node: auditorNode)
            return Crafted(request: request([edited], token: auditor, node: auditorNode), status: 403, code: "forbidden")
        case .otherBranch:
            guard let target, !target.isDeleted else { return nil }
            let edited = try Self.edit(target, [Self.textField(of: target, rng: &rng): evil], node: eveNode)
            return Crafted(request: request([edited], token: eve, node: eveNode), status: 403, code: "forbidden")
        case .salesRelay:
            guard let target, !target.isDeleted else { return nil }
            let edited = try Self.edit(target, [Self.textField(of: target, rng: &rng): evil], node: malloryNode)
            return Crafted(request: request([edited], token: mallory, node: malloryNode, relay: true), status: 403, code: "forbidden")
        }
    }
}

extension TestServer {
    /// Every record the server holds now, by id (on either storage).
    func records() throws -> [RecordID: Record] {
        var result: [RecordID: Record] = [:]
        var after: Int64 = 0
        while true {
            let page = try database.changes(after: after, limit: 1000)
            guard let last = page.last else { return result }
            for (_, record) in page { result[record.id] = record }
            after = last.seq
        }
    }

    /// The enrolled nodes and the user of each.
    func nodeOwners() throws -> [NodeID: String] {
        try database.authors(scope: AccessScope(role: .admin, branch: "HQ")).authors
    }
}
