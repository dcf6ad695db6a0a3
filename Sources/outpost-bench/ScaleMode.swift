import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore

#if canImport(Glibc)
import Glibc
#endif

// CLI-scale mode: a replica with N customers (plus a visit and a complaint for one customer in
// ten), then the `outpost` CLI built next to this benchmark run on it as a child process: time,
// peak memory (the child's maxrss) and bytes written (the child's block output, and the WAL).

/// What a child process used.
struct ChildRun {
    var status: Int32
    var seconds: Double
    var maxRSSMiB: Double
    var writtenBytes: Int
}

/// Runs `executable` with `arguments`, standard output and error to /dev/null. The peak memory
/// and block output come from GNU time (/usr/bin/time) when installed: the rusage of a child
/// spawned straight from this (large) process would carry this process's own peak memory.
func runChild(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> ChildRun {
    let timeTool = "/usr/bin/time"
    guard FileManager.default.isExecutableFile(atPath: timeTool) else {
        return try spawnChild(executable, arguments, environment: environment)
    }
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-bench-time-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: report) }
    var run = try spawnChild(timeTool, ["-o", report, "-f", "%x %M %O", executable] + arguments, environment: environment)
    // The last line (GNU time writes "Command exited with non-zero status N" before it then).
    let lastLine = ((try? String(contentsOfFile: report, encoding: .utf8)) ?? "").split(separator: "\n").last ?? ""
    let fields = lastLine.split(separator: " ").compactMap { Int($0) }
    if fields.count == 3 {
        run.status = Int32(fields[0])
        run.maxRSSMiB = Double(fields[1]) / 1024
        run.writtenBytes = fields[2] * 512
    }
    return run
}

func spawnChild(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> ChildRun {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else { throw BenchError("cannot start \(executable): error \(spawned)") }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return ChildRun(status: (status >> 8) & 0xff, seconds: seconds, maxRSSMiB: Double(usage.ru_maxrss) / 1024,
                    writtenBytes: Int(usage.ru_oublock) * 512)
}

/// `write_bytes` of /proc/self/io: bytes this process caused to be written to storage.
func processWriteBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
        return Int(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces)) ?? -1
    }
    return -1
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Builds the replica and measures the CLI on it.
func runScale(customers: Int, directory: URL, timeCLI: Bool = true) throws {
    let outpost = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("outpost").path
    guard !timeCLI || FileManager.default.isExecutableFile(atPath: outpost) else {
        throw BenchError("\(outpost) is missing: build it first (swift build -c release --product outpost)")
    }
    let path = directory.appendingPathComponent("scale.db").path
    say("cli-scale: \(customers) customers (a visit and a complaint for one in ten) in \(path)")
    let replica = try Replica(path: path)
    let node = NodeID.random()
    let tiers = EntitySchema.tiers
    let base: Int64 = 1_700_000_000_000
    var batch: [Record] = []
    var sharedCodeIDs: [RecordID] = []
    let buildSeconds = try timed {
        for index in 0..<customers {
            let id = RecordID.random()
            // Two live customers share code C-7 (as two offline devices could make them).
            let code = index == customers - 1 ? "C-7" : "C-\(index)"
            if code == "C-7" { sharedCodeIDs.append(id) }
            let fields: [String: JSONValue] = [
                // Half the names Chinese; 200 salespeople own 5,000 customers each (at 1,000,000).
                "code": .string(code), "name": .string(index % 2 == 0 ? "Customer number \(index) Ltd." : "华联商贸 \(index) 号店"),
                "kind": "enterprise", "tier": .string(tiers[index % tiers.count]), "industry": "Manufacturing",
                "owner": .string("sales-\(index % 200)"),
                "address": .string("\(index) Harbour Road, Suite \(index % 50)"), "region": "North", "status": "active",
                "creditRating": "A", "annualPurchase": .int(Int64(index * 10)),
            ]
            let stamp = HybridTimestamp(millis: base + Int64(index), logical: 0)
            batch.append(Record.create(id: id, type: .customer, branch: "BJ", fields: fields, node: node, at: stamp))
            if index % 10 == 0 {
                batch.append(Record.create(id: .random(), type: .visit, branch: "BJ", fields: [
                    "customer": .string(id.rawValue), "actualAt": .string(Timestamps.format(base - Int64(index % 400) * 86_400_000)),
                    "method": "onsite", "purpose": "relationship", "summary": "Routine visit",
                ], node: node, at: stamp))
                batch.append(Record.create(id: .random(), type: .complaint, branch: "BJ", fields: [
                    "customer": .string(id.rawValue), "receivedAt": .string(Timestamps.format(base - Int64(index % 300) * 3_600_000)),
                    "category": "responsible-general", "status": index % 20 == 0 ? "closed" : "open",
                    "content": "Late delivery",
                ], node: node, at: stamp))
            }
            if batch.count >= 20_000 {
                try replica.storeReceived(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try replica.storeReceived(batch)
        batch = []
    }
    say(String(format: "  built the replica in %.1f s (%.0f customers/s), file %.0f MiB", buildSeconds,
               Double(customers) / buildSeconds, Double(fileSize(path)) / 1_048_576))

    try runPageQueries(replica: replica, path: path, customers: customers, now: Timestamps.parse("2023-11-20T00:00:00Z")!)
    guard timeCLI else { return }

    // A local edit measured in-process: WAL growth and write_bytes of this process.
    let target = "C-\(customers / 2)"
    guard let editID = try replica.find(target, type: .customer).first?.id else { throw BenchError("no \(target)") }
    try replica.update(editID, fields: ["notes": "warm-up"])  // the first write after the bulk load
    var walGrowth: [Int] = [], ioBytes: [Int] = []
    for round in 0..<5 {
        let customer = try replica.find("C-\((customers / 3 + round * 7_919) % (customers - 1))", type: .customer).first!.id
        try checkpoint(path)
        let wal = fileSize(path + "-wal"), io = processWriteBytes()
        try replica.update(customer, fields: ["notes": .string("Called back, round \(round)")])
        walGrowth.append(fileSize(path + "-wal") - wal)
        ioBytes.append(processWriteBytes() - io)
        // The same record again: its outbox and acknowledgement rows exist already.
        try checkpoint(path)
        let wal2 = fileSize(path + "-wal"), io2 = processWriteBytes()
        try replica.update(customer, fields: ["notes": .string("Called back again, round \(round)")])
        walGrowth.append(fileSize(path + "-wal") - wal2)
        ioBytes.append(processWriteBytes() - io2)
    }
    say("  local edit (in-process Replica.update; a first edit of a record, then another edit of it, 5 times): WAL grew \(walGrowth.map(String.init).joined(separator: ", ")) bytes; "
        + "write_bytes \(ioBytes.map(String.init).joined(separator: ", "))")
    _ = replica  // closed when the process ends; the CLI opens its own connection below

    // The CLI as a user runs it.
    let environment = ["HOME": directory.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OUTPOST_NOW": "2023-11-20T00:00:00Z"]
    func cli(_ arguments: [String], runs: Int = 5) throws -> [ChildRun] {
        var results: [ChildRun] = []
        for _ in 0..<runs {
            let run = try runChild(outpost, arguments + ["--db", path], environment: environment)
            guard run.status == 0 || arguments.contains("C-7") else { throw BenchError("outpost \(arguments) exited with \(run.status)") }
            results.append(run)
        }
        return results
    }
    func report(_ label: String, _ runs: [ChildRun]) {
        say(String(format: "  %-44@ median %8.1f ms   peak memory %6.1f MiB   written %8d bytes",
                   label as NSString, median(runs.map(\.seconds)) * 1000, runs.map(\.maxRSSMiB).max() ?? 0,
                   runs.map(\.writtenBytes).max() ?? 0))
    }
    report("outpost customer show \(target)", try cli(["customer", "show", target]))
    report("outpost customer show <id prefix>", try cli(["customer", "show", String(editID.rawValue.prefix(8))]))
    let shared = try cli(["customer", "edit", "C-7", "--name", "Renamed"], runs: 1)
    report("outpost customer edit C-7 (shared: refused, exit \(shared[0].status))", shared)
    report("outpost customer edit \(target) --notes …", try cli(["customer", "edit", target, "--notes", "Called back"]))
    report("outpost customer list", try cli(["customer", "list"], runs: 1))
    report("outpost customer list --due", try cli(["customer", "list", "--due"], runs: 1))
    report("outpost customer list --json", try cli(["customer", "list", "--json"], runs: 1))
    report("outpost complaint list --overdue", try cli(["complaint", "list", "--overdue"], runs: 1))

    // The same rows read straight from SQLite (id and state in label order), for comparison.
    var configuration = Configuration()
    configuration.readonly = true
    let raw = try DatabaseQueue(path: path, configuration: configuration)
    var bytes = 0
    let rawSeconds = try timed {
        try raw.read { db in
            try db.makeStatement(sql: "SELECT id, state FROM records WHERE type = 'customer' AND deleted = 0 ORDER BY label, id")
                .forEachRow { row in bytes += row.withUnsafeBlob(at: 1) { $0.count } }
        }
    }
    say(String(format: "  raw SQLite, the same rows (id, state in label order, no decoding): %.1f ms, %d MiB of envelopes",
               rawSeconds * 1000, bytes / 1_048_576))
}

/// Copies the WAL into the database and empties it, so the next write's WAL size is its own.
func checkpoint(_ path: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
}

func timed(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
