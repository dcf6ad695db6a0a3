import Foundation
import Testing
import OutpostClient
import OutpostModel

/// Group commit under SIGKILL: pushes committed together are acknowledged only once their shared
/// transaction is durable, so a kill never loses an acknowledged batch nor leaves half of one.
extension ServerCrashTests {
    /// Counts acknowledgements across pushers and says `true` exactly once, at the `threshold`-th.
    final class KillSwitch: @unchecked Sendable {
        // Safety: `count` is only touched while holding `lock`.
        private let lock = NSLock()
        private var count = 0
        let threshold: Int
        init(threshold: Int) { self.threshold = threshold }
        func acknowledged() -> Bool { lock.withLock { count += 1; return count == threshold } }
    }

    /// Pushes chained batches under `node` until a push fails (the server was killed); returns
    /// the batch numbers acknowledged. `acknowledged` is told of each.
    static func pushUntilKilled(_ api: SyncAPI, node: NodeID, first: Int, acknowledged: @Sendable () -> Void) async -> [Int] {
        var acked: [Int] = []
        var after: BatchID?
        var number = first
        while true {
            do {
                let request = Self.batch(number, node: node, after: after)
                _ = try await api.push(request)
                after = request.batch
                acked.append(number)
                acknowledged()
            } catch {
                return acked
            }
            number += 1
        }
    }

    @Test func killedServerKeepsEveryAcknowledgedBatchOfConcurrentPushersWhole() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-group-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("server.db").path
        let added = try ServerProcess.run(["user", "add", "pusher", "--role", "manager", "--branch", "BJ", "--db", database])
        #expect(added.status == 0)
        let token = try #require(added.output.split(separator: "\n").last.map(String.init))

        let pushers = 6
        var acknowledged: Set<Int> = []
        for round in 0..<2 {
            let server = try ServerProcess(database: database)
            let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL, timeout: 10), token: token)
            // Each pusher numbers its batches in its own range; the kill lands while all of them push.
            // Kill concurrently with the pushes in flight once some random number were acknowledged.
            let killSwitch = KillSwitch(threshold: Int.random(in: pushers...(pushers * 4)))
            let acked = await withTaskGroup(of: [Int].self) { group in
                for pusher in 0..<pushers {
                    group.addTask {
                        await Self.pushUntilKilled(api, node: .random(), first: (round * pushers + pusher) * 10_000) {
                            if killSwitch.acknowledged() { Thread.detachNewThread { server.kill() } }
                        }
                    }
                }
                var all: [Int] = []
                for await numbers in group { all += numbers }
                return all
            }
            acknowledged.formUnion(acked)
        }
        #expect(!acknowledged.isEmpty)

        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        var cursor: String?
        var perBatch: [String: Int] = [:]
        repeat {
            let page = try await api.pull(cursor: cursor, limit: 500)
            for record in page.records { perBatch[record.value(of: "notes")?.stringValue ?? "?", default: 0] += 1 }
            cursor = page.cursor
            if !page.hasMore { break }
        } while true
        for number in acknowledged {
            #expect(perBatch["batch-\(number)"] == Self.batchSize, "acknowledged batch \(number) must be complete")
        }
        for (tag, count) in perBatch {
            #expect(count == Self.batchSize, "\(tag) is half-applied: \(count) of \(Self.batchSize) records")
        }
    }
}
