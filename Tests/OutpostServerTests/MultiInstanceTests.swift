import Foundation
import Testing
import OutpostClient
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// Several `outpost-server` instances on one PostgreSQL database (SPEC §10.7): runs when the build
/// has the `PostgreSQL` trait and `OUTPOST_TEST_POSTGRES` names a database (`.ci/with-postgres`).
@Suite("Two server instances on one PostgreSQL database", .enabled(if: TestStorage.usesPostgres))
struct MultiInstanceTests {
    /// Two instances, each with its own HTTP server on a free port.
    final class Pair: Sendable {
        let test: TestServer
        let servers: [SyncServer]

        init() throws {
            test = try TestServer()
            servers = [SyncServer(database: test.database, port: 0), SyncServer(database: try test.openAnotherInstance(), port: 0)]
            for server in servers { try server.start() }
        }

        func api(_ instance: Int, token: String) throws -> SyncAPI {
            SyncAPI(transport: try HTTPTransport(baseURL: "http://127.0.0.1:\(servers[instance % 2].port)"), token: token)
        }

        deinit {
            for server in servers { server.shutdown() }
            test.cleanUp()
        }
    }

    /// Eight devices push concurrently, half to each instance, while a device pulls page by page
    /// from both instances in turn. Seqs are unique, and the puller ends with every record's last
    /// version: no change committed out of order was skipped by a pull already past its seq.
    @Test func devicesPushingToBothInstancesConvergeAndPullsSkipNothing() async throws {
        let pair = try Pair()
        let manager = try pair.test.addUser("wu", role: .manager, branch: "BJ")
        let devices = 8
        let rounds = 12
        let tokens = try (0..<devices).map { try pair.test.addUser("sales\($0)", role: .manager, branch: "BJ") }
        let seqs = Collector<Int64>()
        let finished = Flag()

        async let pulled: [RecordID: Record] = {
            var latest: [RecordID: Record] = [:]
            var cursor: String?
            var instance = 0
            var drainedAfterFinish = false
            while true {
                let done = finished.isSet
                let page = try await pair.api(instance, token: manager).pull(cursor: cursor, limit: 7)
                instance += 1
                for record in page.records { latest[record.id] = record }
                cursor = page.cursor
                if !page.hasMore {
                    if drainedAfterFinish { return latest }
                    if done { drainedAfterFinish = true }
                }
            }
        }()

        let finals = try await withThrowingTaskGroup(of: [Record].self) { group in
            for device in 0..<devices {
                group.addTask {
                    let api = try pair.api(device, token: tokens[device])
                    let node = NodeID(unchecked: "device-\(device)")
                    var after: BatchID?
                    var previous: Record?
                    var mine: [Record] = []
                    for round in 0..<rounds {
                        var batch = [Record.create(id: .random(), type: .customer, branch: "BJ",
                                                   fields: ["code": .string("C-\(device)-\(round)"), "name": "Acme", "kind": "tenant", "tier": "general"],
                                                   node: node, at: HybridTimestamp(millis: Int64(round * 2 + 1)))]
                        if var last = previous {
                            try last.write(["name": .string("Edited \(device)-\(round)")], node: node, at: HybridTimestamp(millis: Int64(round * 2 + 2)))
                            batch.append(last)
                            mine[mine.count - 1] = last
                        }
                        let request = PushRequest(batch: .random(), node: node, after: after, records: batch)
                        let answer = try await api.push(request)
                        for result in answer.results { seqs.append(result.seq) }
                        after = request.batch
                        previous = batch[0]
                        mine.append(batch[0])
                    }
                    return mine
                }
            }
            var all: [Record] = []
            for try await mine in group { all += mine }
            return all
        }
        finished.set()
        let latest = try await pulled

        #expect(Set(seqs.all).count == seqs.all.count, "every change got its own seq")
        #expect(latest.count == finals.count)
        for record in finals { #expect(latest[record.id] == record, "the puller holds the last version of \(record.id)") }
        // A fresh pull from either instance gives the same records.
        for instance in 0..<2 {
            var records: [RecordID: Record] = [:]
            var cursor: String?
            repeat {
                let page = try await pair.api(instance, token: manager).pull(cursor: cursor, limit: 50)
                for record in page.records { records[record.id] = record }
                cursor = page.hasMore ? page.cursor : nil
            } while cursor != nil
            #expect(records == latest)
        }
    }

    /// A device whose push answer was lost retries on the other instance (a load balancer may
    /// send it anywhere): it gets the same answer and nothing is stored twice. The same batch sent
    /// to both instances at once is applied once, both answers the same.
    @Test func aBatchRetriedOnTheOtherInstanceGetsTheSameAnswerAndAppliesOnce() async throws {
        let pair = try Pair()
        let token = try pair.test.addUser("li", role: .manager, branch: "BJ")
        let records = (0..<5).map { index in
            Record.create(id: .random(), type: .customer, branch: "BJ",
                          fields: ["code": .string("C-\(index)"), "name": "Acme", "kind": "tenant", "tier": "general"],
                          node: NodeID(unchecked: "phone"), at: HybridTimestamp(millis: 1))
        }
        let first = PushRequest(batch: .random(), node: NodeID(unchecked: "phone"), records: records)
        let answer = try await pair.api(0, token: token).push(first)
        let retried = try await pair.api(1, token: token).push(first)
        #expect(retried == answer)
        #expect(try pair.test.database.newestSeq() == 5)

        // The next batch, sent to both instances at once.
        let edits = try records.map { record in
            var copy = record
            try copy.write(["name": "Renamed"], node: NodeID(unchecked: "phone"), at: HybridTimestamp(millis: 2))
            return copy
        }
        let second = PushRequest(batch: .random(), node: NodeID(unchecked: "phone"), after: first.batch, records: edits)
        let answers = try await withThrowingTaskGroup(of: PushResponse.self) { group in
            for instance in 0..<2 { group.addTask { try await pair.api(instance, token: token).push(second) } }
            var all: [PushResponse] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.count == 2 && answers[0] == answers[1])
        #expect(answers[0].results.map(\.seq) == [6, 7, 8, 9, 10])
        #expect(try pair.test.database.newestSeq() == 10)
    }
}

/// A flag set once, read from several tasks.
final class Flag: @unchecked Sendable {
    // Safety: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
