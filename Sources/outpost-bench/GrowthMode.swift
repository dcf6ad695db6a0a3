import Foundation
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostStore

// Growth mode: how the server database grows with edits and deletes (bounded growth, issue 11).
// `customers` customers, each edited `edits` times by the devices that own them (ten customers
// per device, a push of ten records per device and round, a round's pushes committed together),
// then a tenth of them deleted and the tombstones purged; prints every table's share of the file
// at each stage, and the size of a deleted record's envelope after 200 devices wrote it.

/// Bytes each table and index holds (SQLite's `dbstat`; the payload bytes when it is missing).
func tableSizes(_ path: String) throws -> [(name: String, bytes: Int64)] {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
        if let rows = try? db.fetchAll(sql: "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC") {
            return rows.map { ($0[0] ?? "?", $0[1] ?? 0) }
        }
        let payloads = [("records", "SELECT SUM(LENGTH(state)) FROM records"), ("batches", "SELECT SUM(LENGTH(response)) FROM batches")]
        return try payloads.map { ($0.0, try db.fetchScalar(sql: $0.1) ?? 0) }
    }
}

func printSizes(_ title: String, _ path: String) throws {
    let sizes = try tableSizes(path)
    let total = max(1, sizes.reduce(0) { $0 + $1.bytes })
    let (rows, envelopes): (Int64, Int64) = try DatabaseQueue(path: path).read { db in
        (try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0, try db.fetchScalar(sql: "SELECT SUM(LENGTH(state)) FROM records") ?? 0)
    }
    say("\(title): \(total / 1024) KiB in tables and indexes; \(rows) records holding \(envelopes / 1024) KiB of envelopes")
    for (name, bytes) in sizes.prefix(8) {
        say("  " + name.padding(toLength: 36, withPad: " ", startingAt: 0)
            + String(format: "%8lld KiB  %5.1f%%", bytes / 1024, Double(bytes) * 100 / Double(total)))
    }
}

/// Canonical JSON bytes of `record` with its delete's `seen` replaced by the whole clock (as
/// clients wrote deletes before the compact delete).
func wholeClockDeleteSize(_ record: Record) throws -> Int {
    guard case .object(var envelope) = record.jsonValue, case .array(var lifecycle)? = envelope["lifecycle"],
          case .object(var delete)? = lifecycle.first
    else { throw BenchError("the record has no delete") }
    delete["seen"] = record.clock.jsonValue
    lifecycle[0] = .object(delete)
    envelope["lifecycle"] = .array(lifecycle)
    return try Record(json: .object(envelope)).canonicalJSON().count
}

func runGrowth(customers: Int, edits: Int, directory: URL) throws {
    let path = directory.appendingPathComponent("growth.db").path
    let database = try ServerDatabase(path: path)
    let token = try database.addUser(name: "growth", role: .manager, branch: "BJ")
    guard let user = try database.authenticate(token: token) else { throw BenchError("no user") }
    let devices = max(1, customers / 10)
    let nodes = (0..<devices).map { NodeID(unchecked: "growth-device-\($0)") }
    var clocks = Array(repeating: HybridClock(), count: devices)
    var after = [BatchID?](repeating: nil, count: devices)
    var records: [Record] = (0..<customers).map { index in
        Record.create(id: .random(), type: .customer, branch: "BJ",
                      fields: ["code": .string("G-\(index)"), "name": .string("Customer \(index)"), "kind": "enterprise", "tier": "core",
                               "owner": "growth", "notes": "created"],
                      node: nodes[index / 10 % devices], at: HybridTimestamp(millis: 1_000))
    }
    var answerBytes = 0
    var pushes = 0
    say("growth: \(customers) customers × \(edits) edits by \(devices) devices (10 customers each, one push of 10 records per device and round)")
    let started = DispatchTime.now().uptimeNanoseconds
    for round in 0...edits {
        var group: [ServerDatabase.PendingPush] = []
        for device in 0..<devices {
            let owned = (device * 10)..<min(customers, device * 10 + 10)
            if round > 0 {
                for index in owned {
                    let at = clocks[device].now(wallMillis: Int64(1_000 + round))
                    try records[index].write(["notes": .string("edit \(round) of customer \(index)")], node: nodes[device], at: at)
                }
            }
            let request = PushRequest(batch: .random(), node: nodes[device], after: after[device], records: Array(records[owned]))
            group.append(ServerDatabase.PendingPush(request: request, body: request.jsonValue.serializedBytes(), user: user))
        }
        for (index, outcome) in database.push(together: group).enumerated() {
            let response = try outcome.get()
            answerBytes += response.jsonValue.serializedBytes().count
            after[index] = group[index].request.batch
            pushes += 1
        }
    }
    say(String(format: "  %d pushes in %.1f s", pushes, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9))
    try database.checkpoint()
    try printSizes("after the edits", path)
    let sizes = try tableSizes(path)
    let total = sizes.reduce(0) { $0 + $1.bytes }
    let kept = sizes.first { $0.name == "batches" }?.bytes ?? 0
    let unpruned = total - kept + Int64(answerBytes)
    say(String(format: "  stored push answers: one per device; kept without pruning they would be %lld KiB (answer text alone), %.1f%% of %lld KiB",
               Int64(answerBytes) / 1024, Double(answerBytes) * 100 / Double(max(1, unpruned)), unpruned / 1024))

    // A tenth of the customers deleted, then purged past the horizon.
    var deletes: [ServerDatabase.PendingPush] = []
    for device in 0..<devices {
        let index = device * 10
        guard index < customers else { continue }
        let at = clocks[device].now(wallMillis: Int64(2_000 + edits))
        try records[index].delete(node: nodes[device], at: at)
        let request = PushRequest(batch: .random(), node: nodes[device], after: after[device], records: [records[index]])
        deletes.append(ServerDatabase.PendingPush(request: request, body: request.jsonValue.serializedBytes(), user: user))
    }
    for outcome in database.push(together: deletes) { _ = try outcome.get() }
    let purge = try database.purgeTombstones(olderThanDays: ServerDatabase.defaultTombstoneHorizonDays,
                                             now: Int64(Date().timeIntervalSince1970 * 1000) + 91 * 86_400_000)
    try database.checkpoint()
    try printSizes("after deleting \(deletes.count) customers and purging \(purge.purged) tombstones 91 days later", path)

    // One record written by 200 devices, then deleted.
    var shared = Record.create(id: .random(), type: .customer, branch: "BJ",
                               fields: ["code": "S-1", "name": "Shared", "kind": "enterprise", "tier": "core"],
                               node: NodeID(unchecked: "writer-0000000000"), at: HybridTimestamp(millis: 1))
    for writer in 1..<200 {
        try shared.write(["notes": .string("note by writer \(writer)")], node: NodeID(unchecked: String(format: "writer-%010d", writer)),
                         at: HybridTimestamp(millis: Int64(1 + writer)))
    }
    let live = shared.canonicalJSON().count
    try shared.delete(node: NodeID(unchecked: "deleter-000000000"), at: HybridTimestamp(millis: 1_000))
    say("a record written by 200 devices: \(live) bytes live; deleted \(shared.canonicalJSON().count) bytes "
        + "(a delete copying the whole clock: \(try wholeClockDeleteSize(shared)) bytes)")
}
