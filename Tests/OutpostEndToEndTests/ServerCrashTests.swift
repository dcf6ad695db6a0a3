import Foundation
import Testing
import OutpostClient
import OutpostModel

/// Law 5 for the server: SIGKILL at any instant loses no acknowledged batch and never leaves half a batch.
@Suite("Server crash safety (real process, SIGKILL)")
struct ServerCrashTests {
    static let batchSize = 25

    /// Makes one batch of new customers tagged with the batch number.
    static func batch(_ number: Int, node: NodeID, after: BatchID? = nil) -> PushRequest {
        let records = (0..<batchSize).map { index in
            Record.create(id: .random(), type: .customer, branch: "BJ",
                          fields: ["code": .string("B\(number)-\(index)"), "name": .string("Batch \(number) #\(index)"),
                                   "kind": "enterprise", "tier": "general", "notes": .string("batch-\(number)")],
                          node: node, at: HybridTimestamp(millis: Int64(number * 1000 + index)))
        }
        return PushRequest(batch: .random(), node: node, after: after, records: records)
    }

    @Test func killedServerKeepsEveryAcknowledgedBatchWhole() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("server.db").path
        let added = try ServerProcess.run(["user", "add", "pusher", "--role", "manager", "--branch", "BJ", "--db", database])
        #expect(added.status == 0)
        let token = try #require(added.output.split(separator: "\n").last.map(String.init))

        var acknowledged: Set<Int> = []
        var sent = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let server = try ServerProcess(database: database)
            let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL, timeout: 10), token: token)
            let killAfter = Int.random(in: 1...6, using: &generator)
            // Push batches from a task; kill the server while the pusher keeps sending.
            let first = sent
            // A fresh device each round: the batch in flight at the kill may have landed unanswered,
            // so the old device's chain (SPEC §10.5) would need that batch retried, not a new one.
            let node = NodeID.random()
            let pusher = Task { () -> [Int] in
                var acked: [Int] = []
                var number = first
                var after: BatchID?
                while !Task.isCancelled {
                    do {
                        let request = Self.batch(number, node: node, after: after)
                        _ = try await api.push(request)
                        after = request.batch
                        acked.append(number)
                    } catch {
                        return acked
                    }
                    number += 1
                    // Kill concurrently with the next push, so the kill lands at an arbitrary
                    // point of that request: before, during or after its transaction.
                    if acked.count == killAfter { Thread.detachNewThread { server.kill() } }
                }
                return acked
            }
            let acked = await pusher.value
            acknowledged.formUnion(acked)
            sent = (acked.max() ?? sent) + 2  // the batch in flight when killed may or may not have landed
            #expect(acked.count >= killAfter, "round \(round)")
        }

        // Restart and read everything back.
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let api = SyncAPI(transport: try HTTPTransport(baseURL: server.baseURL), token: token)
        var cursor: String?
        var perBatch: [String: Int] = [:]
        repeat {
            let page = try await api.pull(cursor: cursor, limit: 500)
            for record in page.records {
                perBatch[record.value(of: "notes")?.stringValue ?? "?", default: 0] += 1
            }
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

    @Test func sigtermStopsTheServerGracefully() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(database: directory.appendingPathComponent("server.db").path)
        #expect(server.terminate() == 0)
    }
}
