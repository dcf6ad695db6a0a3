import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

// Live mode: how fast changes reach an app's observers. Two devices (OfflineClient over loopback
// HTTP, replicas on disk) of two users of one branch, against an in-process server.

/// Times when observed values arrived, by value.
final class ArrivalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var arrivals: [String: UInt64] = [:]
    private var commits: [UInt64] = []

    func arrived(_ value: String) { lock.withLock { arrivals[value] = DispatchTime.now().uptimeNanoseconds } }
    func arrival(of value: String) -> UInt64? { lock.withLock { arrivals[value] } }
    func committed() { lock.withLock { commits.append(DispatchTime.now().uptimeNanoseconds) } }
    var lastCommit: UInt64? { lock.withLock { commits.last } }
}

/// Median and 99th percentile, in milliseconds.
func percentiles(_ values: [Double]) -> (p50: Double, p99: Double, max: Double) {
    let sorted = values.sorted()
    return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))], sorted.last ?? 0)
}

func runLive(rounds: Int, directory: URL) async throws {
    let database = try ServerDatabase(path: directory.appendingPathComponent("live-server.db").path)
    let server = SyncServer(database: database, port: 0)
    try server.start()
    defer { server.shutdown() }
    let url = "http://127.0.0.1:\(server.port)"
    let deviceA = try await OfflineClient.connect(databasePath: directory.appendingPathComponent("a.db").path, serverURL: url,
                                                  token: try database.addUser(name: "li", role: .manager, branch: "BJ"))
    let deviceB = try await OfflineClient.connect(databasePath: directory.appendingPathComponent("b.db").path, serverURL: url,
                                                  token: try database.addUser(name: "wang", role: .manager, branch: "BJ"))
    let acme = try await deviceA.create(.customer, fields: ["code": "C-1", "name": "Round 0", "kind": "enterprise", "tier": "core"])
    _ = try await deviceA.sync()
    _ = try await deviceB.sync()

    // B's screen: the name of the customer, observed.
    let log = ArrivalLog()
    let commitToken = deviceB.replica.changes.subscribe { change in
        if change.entityTypes.contains(.customer) { log.committed() }
    }
    defer { deviceB.replica.changes.unsubscribe(commitToken) }
    let observer = Task {
        for try await name in deviceB.observe(record: acme.id, type: .customer) {
            if let text = name?.value(of: "name")?.stringValue { log.arrived(text) }
        }
    }
    defer { observer.cancel() }

    func waitFor(_ value: String) async throws -> UInt64 {
        while true {
            if let time = log.arrival(of: value) { return time }
            try await Task.sleep(for: .microseconds(200))  // polling the log; the figure is taken by the observer
        }
    }

    // 1. A pulled change reaching an observer: from the commit of the pulled page on B to the
    //    observer's new value (and, for context, from the start of B's sync).
    var commitToObserver: [Double] = [], syncToObserver: [Double] = []
    for round in 1...rounds {
        let name = "Pulled \(round)"
        try await deviceA.update(acme.id, fields: ["name": .string(name)])
        _ = try await deviceA.sync()
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try await deviceB.sync()
        let arrived = try await waitFor(name)
        let commit = log.lastCommit ?? start
        commitToObserver.append(Double(arrived - min(commit, arrived)) / 1e6)
        syncToObserver.append(Double(arrived - start) / 1e6)
    }
    let pulled = percentiles(commitToObserver), synced = percentiles(syncToObserver)
    say(String(format: "pulled change → observer (page commit to new value, %d runs)   p50 %6.2f ms   p99 %6.2f ms   (target < 50 ms)",
               rounds, pulled.p50, pulled.p99))
    say(String(format: "  the same from the start of the sync (pull over loopback included)   p50 %6.2f ms   p99 %6.2f ms",
               synced.p50, synced.p99))

    // 2. An edit on A reaching the observer on B, both syncing automatically in live mode:
    //    with the default policy (edits debounced 500 ms, long-poll pulls held up to 25 s), then
    //    with no debounce (the network path alone). Quiet between rounds, so each edit takes the
    //    whole path (no sync already under way carries it early).
    for policy in [SyncPolicy(live: true), SyncPolicy(debounce: .zero, live: true)] {
        await deviceA.startSyncing(policy: policy)
        await deviceB.startSyncing(policy: policy)
        var editToObserver: [Double] = []
        for round in 1...rounds {
            try await Task.sleep(for: .seconds(1))
            let name = "Live \(policy.debounce) \(round)"
            let start = DispatchTime.now().uptimeNanoseconds
            try await deviceA.update(acme.id, fields: ["name": .string(name)])
            let arrived = try await waitFor(name)
            editToObserver.append(Double(arrived - start) / 1e6)
        }
        await deviceA.stopSyncing()
        await deviceB.stopSyncing()
        let live = percentiles(editToObserver)
        let debounce = Int(policy.debounce.components.seconds * 1000 + policy.debounce.components.attoseconds / 1_000_000_000_000_000)
        say(String(format: "edit on A → observer on B, live sync over loopback, debounce %3d ms (%d runs)   p50 %6.0f ms   p99 %6.0f ms   (target < 1 s)",
                   debounce, rounds, live.p50, live.p99))
    }
}
