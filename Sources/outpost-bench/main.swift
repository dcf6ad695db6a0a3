import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

#if canImport(Glibc)
import Glibc
#endif

// Prints throughput and latency figures for the sync loop over a real loopback socket.

let tool = CommandLineTool(root: CommandSpec(
    name: "outpost-bench",
    abstract: "Measure full pull, push and no-op sync over a real loopback socket.",
    discussion: """
        Seeds a server database with customers, then syncs one client with it in the same process.
        Both sides use SQLite in WAL mode with synchronous=FULL in a temporary folder ($TMPDIR).
        Build it in release mode: swift run -c release outpost-bench
        """,
    options: [
        OptionSpec("records", help: "Customers to seed and pull.", valueName: "n", defaultValue: "100000"),
        OptionSpec("edits", help: "Customers to edit locally and push.", valueName: "n", defaultValue: "10000"),
        OptionSpec("round-trips", help: "No-op syncs to time.", valueName: "n", defaultValue: "500"),
        OptionSpec("devices", help: "With --load: concurrent devices.", valueName: "n", defaultValue: "200"),
        OptionSpec("seconds", help: "With --load: how long the devices run.", valueName: "n", defaultValue: "20"),
        OptionSpec("edits-per-push", help: "With --load: records in each device's push.", valueName: "n", defaultValue: "3"),
        OptionSpec("push-group", help: "With --load: most pushes sharing one commit (1: every push commits alone).", valueName: "n",
                   defaultValue: String(ServerDatabase.defaultPushGroupSize)),
        OptionSpec("idle", help: "With --load: idle connections held open while /health is timed (0: skip).", valueName: "n", defaultValue: "300"),
        OptionSpec("growth-customers", help: "With --growth: customers (ten per device).", valueName: "n", defaultValue: "1000"),
        OptionSpec("growth-edits", help: "With --growth: edits of each customer.", valueName: "n", defaultValue: "200"),
        OptionSpec("customers", help: "With --cli-scale: customers in the replica.", valueName: "n", defaultValue: "1000000"),
        OptionSpec("postgres", help: "Keep the server's data in this PostgreSQL database (a schema made and dropped for the run); needs --traits PostgreSQL.",
                   valueName: "url"),
        OptionSpec("instances", help: "With --load and --postgres: server instances sharing the database (devices spread over them).",
                   valueName: "n", defaultValue: "1"),
        OptionSpec("rounds", help: "With --live: changes timed per measure.", valueName: "n", defaultValue: "20"),
    ],
    flags: [
        FlagSpec("growth", help: "Growth mode: --growth-customers customers edited --growth-edits times each; prints table sizes, after a purge too."),
        FlagSpec("load", help: "Load mode: --devices devices push a few edits then pull, for --seconds, over loopback HTTP."),
        FlagSpec("live", help: "Live mode: time a pulled change reaching an observer, and an edit reaching another device's observer with live sync."),
        FlagSpec("cli-scale", help: "Build a replica of --customers customers, time 50-row page queries and the outpost CLI on it (build outpost too)."),
        FlagSpec("queries-only", help: "With --cli-scale: time the page queries only, not the CLI."),
        FlagSpec("apply-profile", help: "Only time applying pre-decoded pull pages into fresh replicas."),
        FlagSpec("breakdown", help: "Also time fetch, decode and apply of a full pull one after another."),
        FlagSpec("tree", help: "With --breakdown: decode through a JSON tree instead of the light pass."),
    ]))
let parsed = tool.parseOrExit()

/// A positive whole-number option, or the usage error.
func count(_ name: String, default value: Int) -> Int {
    let number = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try parsed.values.int(name) } ?? value
    guard number > 0 else {
        FileHandle.standardError.write(Data("Error: --\(name) must be at least 1\n".utf8))
        exit(64)
    }
    return number
}

func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

let recordCount = count("records", default: 100_000)
let editCount = min(count("edits", default: 10_000), recordCount)
let roundTrips = count("round-trips", default: 500)

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

var storage = BenchStorage(postgresURL: parsed.values.option("postgres"))
defer { storage.dropAll() }
say("Outpost benchmark — \(ProcessInfo.processInfo.activeProcessorCount) cores, loopback HTTP, \(storage.description)")
#if DEBUG
say("(debug build: figures are several times slower than `swift run -c release outpost-bench`)")
#endif
if parsed.values.flag("load") {
    try runLoad(devices: count("devices", default: 200), seconds: Double(count("seconds", default: 20)),
                editsPerRound: count("edits-per-push", default: 3),
                idleConnections: tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try parsed.values.int("idle") } ?? 300,
                pushGroupSize: count("push-group", default: ServerDatabase.defaultPushGroupSize),
                instances: count("instances", default: 1), storage: &storage, directory: directory)
    try? FileManager.default.removeItem(at: directory)
    storage.dropAll()
    exit(0)
}
if parsed.values.flag("live") {
    try await runLive(rounds: count("rounds", default: 20), directory: directory)
    try? FileManager.default.removeItem(at: directory)
    exit(0)
}
if parsed.values.flag("growth") {
    try runGrowth(customers: count("growth-customers", default: 1_000), edits: count("growth-edits", default: 200), directory: directory)
    try? FileManager.default.removeItem(at: directory)
    exit(0)
}
if parsed.values.flag("cli-scale") {
    try runScale(customers: count("customers", default: 1_000_000), directory: directory, timeCLI: !parsed.values.flag("queries-only"))
    try? FileManager.default.removeItem(at: directory)
    exit(0)
}
FileHandle.standardError.write(Data("Seeding the server with \(recordCount) customers…\n".utf8))
let database = try storage.open("server.db", in: directory)
let token = try database.addUser(name: "bench", role: .hq, branch: "HQ")
let user = try database.authenticate(token: token)!

// Seed the server with customers written by a "headquarters" node, 1,000 per batch.
let seedNode = NodeID.random()
var seedBatch: BatchID?
let tiers = EntitySchema.tiers
var editTargets: [RecordID] = []
let seedSeconds = try await seconds {
    var batch: [Record] = []
    for index in 0..<recordCount {
        let fields: [String: JSONValue] = [
            "code": .string("C-\(index)"), "name": .string("Customer number \(index) Ltd."), "kind": "enterprise",
            "tier": .string(tiers[index % tiers.count]), "industry": "Manufacturing", "owner": "bench",
            "address": .string("\(index) Harbour Road, Suite \(index % 50)"), "region": "North", "status": "active",
            "creditRating": "A", "annualPurchase": .int(Int64(index * 10)),
        ]
        let id = RecordID.random()
        if index < editCount { editTargets.append(id) }
        batch.append(Record.create(id: id, type: .customer, branch: "BJ", fields: fields, node: seedNode,
                                   at: HybridTimestamp(millis: 1_700_000_000_000 + Int64(index))))
        if batch.count == SyncProtocol.maxBatchRecords || index == recordCount - 1 {
            // A device pushes its own writes, naming its previous batch.
            let request = PushRequest(batch: .random(), node: seedNode, after: seedBatch, records: batch)
            _ = try database.push(request, body: request.canonicalJSON(), user: user)
            seedBatch = request.batch
            batch.removeAll(keepingCapacity: true)
        }
    }
}

if parsed.values.flag("apply-profile") {
    // Decode every page first, then time only applying them into fresh replicas.
    var pages: [ReceivedPullPage] = []
    var after: Int64 = 0
    while true {
        var body: [UInt8] = []
        try database.streamPull(after: after, limit: SyncProtocol.maxPageRecords, scope: user.scope) { body += $0 }
        let page = try ReceivedPullPage.decode(bytes: body)
        pages.append(page)
        after = Int64(page.cursor.split(separator: ".").last!)!
        if !page.hasMore { break }
    }
    defer { storage.dropAll() }
    for round in 0..<3 {
        let fresh = try Replica(path: directory.appendingPathComponent("apply-\(round).db").path)
        let elapsed = try await seconds { for page in pages { try fresh.apply(page) } }
        say(String(format: "apply only, round %d: %.2f s  %9.0f records/s", round, elapsed, Double(recordCount) / elapsed))
    }
    exit(0)
}

let server = SyncServer(database: database, port: 0)
try server.start()
let baseURL = "http://127.0.0.1:\(server.port)"
let replica = try Replica(path: directory.appendingPathComponent("client.db").path)
let api = SyncAPI(transport: try HTTPTransport(baseURL: baseURL), token: token)
let session = try await api.session()
try replica.configure(ReplicaSettings(serverURL: baseURL, token: token, user: session.user, role: session.role,
                                      branch: session.branch, serverID: session.serverID))
let engine = SyncEngine(replica: replica, api: api, batchSize: SyncProtocol.maxBatchRecords, pageSize: SyncProtocol.maxPageRecords)

say(String(format: "seed server (in-process push)   %8d records in %6.2f s  %9.0f records/s", recordCount, seedSeconds, Double(recordCount) / seedSeconds))

var pulled = 0
let pullSeconds = try await seconds { pulled = try await engine.sync().pulled }
say(String(format: "full pull into empty client      %8d records in %6.2f s  %9.0f records/s", pulled, pullSeconds, Double(pulled) / pullSeconds))
say(String(format: "peak memory after seeding and the full pull (server + client in one process)  %.0f MiB", peakMemoryMiB()))

// Edit records locally, then push them.
for (index, id) in editTargets.enumerated() {
    try replica.update(id, fields: ["notes": .string("Visited on round \(index)")])
}
var pushed = 0
let pushSeconds = try await seconds {
    var report = SyncReport()
    try await engine.push(&report)
    pushed = report.pushed
}
say(String(format: "push of local edits              %8d records in %6.2f s  %9.0f records/s", pushed, pushSeconds, Double(pushed) / pushSeconds))
_ = try await engine.sync()

// No-op syncs: nothing to push, one pull that returns nothing.
var latencies: [Double] = []
latencies.reserveCapacity(roundTrips)
for _ in 0..<roundTrips {
    latencies.append(try await seconds { _ = try await engine.sync() } * 1000)
}
latencies.sort()
let p50 = latencies[latencies.count / 2]
let p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
say(String(format: "no-op sync round trip (%d runs)   p50 %6.2f ms   p99 %6.2f ms", roundTrips, p50, p99))
say(String(format: "peak memory at the end  %.0f MiB", peakMemoryMiB()))
server.shutdown()
if parsed.values.flag("breakdown") {
    let server2 = SyncServer(database: database, port: 0)
    try server2.start()
    let api2 = SyncAPI(transport: try HTTPTransport(baseURL: "http://127.0.0.1:\(server2.port)"), token: token)
    var cursor: String? = nil
    var fetch = 0.0, parse = 0.0, apply = 0.0, decode = 0.0, bytes = 0
    let fresh = try Replica(path: directory.appendingPathComponent("client2.db").path)
    while true {
        var response: TransportResponse! = nil
        fetch += try await seconds {
            var q = [("limit", "5000")]
            if let cursor { q.append(("cursor", cursor)) }
            response = try await api2.transport.send(TransportRequest(method: "GET", path: "/v1/pull", query: q, headers: ["Authorization": "Bearer \(token)", "Host": "x"]))
        }
        var json: JSONValue = .null
        bytes += response.body.count
        let nextCursor: String, hasMore: Bool
        if parsed.values.flag("tree") {
            var page: PullPage! = nil
            parse += try await seconds { json = try JSONValue.parse(response.body) }
            decode += try await seconds { page = try PullPage(json: json) }
            apply += try await seconds { try fresh.apply(page) }
            (nextCursor, hasMore) = (page.cursor, page.hasMore)
        } else {
            // The client's path: envelopes validated and summarised straight from the bytes (parse is then 0).
            var page: ReceivedPullPage! = nil
            decode += try await seconds { page = try ReceivedPullPage.decode(bytes: response.body) }
            apply += try await seconds { try fresh.apply(page) }
            (nextCursor, hasMore) = (page.cursor, page.hasMore)
        }
        cursor = nextCursor
        if !hasMore { break }
    }
    say(String(format: "breakdown: %d bytes, fetch %.2f s, parse %.2f s, decode %.2f s, apply %.2f s", bytes, fetch, parse, decode, apply))
    server2.shutdown()
}
