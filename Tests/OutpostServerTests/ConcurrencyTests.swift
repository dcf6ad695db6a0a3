import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

/// Collects results from several threads.
final class Collector<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []
    func append(_ value: Value) { lock.withLock { values.append(value) } }
    var all: [Value] { lock.withLock { values } }
}

@Suite("Concurrent pushes")
struct ConcurrencyTests {
    struct Outcome: Sendable {
        var worker: Int
        var round: Int
        var status: Int
        var results: [PushResult]
    }

    /// Each worker creates one record per batch and, in the same batch, edits the record it created
    /// in the previous batch; so every record is pushed twice (created, then edited).
    @Test func concurrentPushesGetUniqueIncreasingSeqsAndPullReturnsEveryRecordOnce() throws {
        let h = try Harness()
        let workers = 8
        let rounds = 20
        let tokens = try (0..<workers).map { try h.user("user\($0)", role: .manager, branch: "BJ") }
        let outcomes = Collector<Outcome>()
        let finals = Collector<Record>()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let node = NodeID(unchecked: "worker-\(worker)")
            var previous: Record?
            for round in 0..<rounds {
                let created = Record.create(id: .random(), type: .customer, branch: "BJ",
                                            fields: ["code": .string("C-\(worker)-\(round)"), "name": "Acme", "kind": "tenant", "tier": "general"],
                                            node: node, at: ts(Int64(round * 2 + 1)))
                var batch = [created]
                if var last = previous {
                    try? last.write(["name": .string("Edited \(worker)-\(round)")], node: node, at: ts(Int64(round * 2 + 2)))
                    batch.append(last)
                    finals.append(last)
                }
                let response = h.push(batch, token: tokens[worker])
                outcomes.append(Outcome(worker: worker, round: round, status: response.status,
                                        results: (try? decodePush(response).results) ?? []))
                previous = created
            }
            if let previous { finals.append(previous) }
        }

        let all = outcomes.all
        #expect(all.count == workers * rounds)
        #expect(all.allSatisfy { $0.status == 200 })
        let results = all.flatMap(\.results)
        #expect(results.count == workers * (2 * rounds - 1))
        #expect(results.allSatisfy { $0.status == .accepted })
        // Every change got its own seq.
        let seqs = results.map(\.seq)
        #expect(Set(seqs).count == seqs.count)
        #expect(seqs.allSatisfy { $0 >= 1 })
        // Per record, the edit's seq is after the creation's.
        var seqsByRecord: [RecordID: [(round: Int, seq: Int64)]] = [:]
        for outcome in all {
            for result in outcome.results { seqsByRecord[result.id, default: []].append((outcome.round, result.seq)) }
        }
        #expect(seqsByRecord.count == workers * rounds)
        for (_, history) in seqsByRecord {
            let ordered = history.sorted { $0.round < $1.round }.map(\.seq)
            #expect(ordered == ordered.sorted() && Set(ordered).count == ordered.count)
        }
        // Per worker, batches committed in order, so its seqs increase round by round.
        for worker in 0..<workers {
            let batches = all.filter { $0.worker == worker }.sorted { $0.round < $1.round }
            let firsts = batches.compactMap { $0.results.map(\.seq).min() }
            #expect(firsts == firsts.sorted())
        }

        let reader = try h.user("reader", role: .hq, branch: "HQ")
        let pulled = try h.pullAll(token: reader, limit: 37).records
        #expect(pulled.count == workers * rounds)
        #expect(Set(pulled.map(\.id)).count == pulled.count)
        let expected = Dictionary(uniqueKeysWithValues: finals.all.map { ($0.id, $0) })
        for record in pulled { #expect(expected[record.id] == record) }
    }

    @Test func concurrentEditsOfOneRecordConvergeToTheirMerge() async throws {
        let h = try Harness()
        let token = try h.user("li", role: .manager, branch: "BJ")
        let base = makeCustomer()
        _ = try h.pushOK([base], token: token)
        let fields = ["industry", "address", "region", "owner", "notes", "status"]
        let values: [JSONValue] = ["Steel", "1 Road", "North", "li", "hello", "active"]
        let edits = try (0..<fields.count).map { index in
            try edited(base, [fields[index]: values[index]], node: NodeID(unchecked: "n\(index)"), at: Int64(10 + index))
        }
        let statuses = await withTaskGroup(of: Int.self) { group in
            for edit in edits { group.addTask { h.push([edit], token: token).status } }
            var statuses: [Int] = []
            for await status in group { statuses.append(status) }
            return statuses
        }
        #expect(statuses == Array(repeating: 200, count: edits.count))
        let stored = try #require(try h.pullPage(token: token).records.first)
        var expected = base
        for edit in edits { expected = try expected.merged(with: edit) }
        #expect(stored == expected)
        #expect(!stored.hasConflicts)
        for index in fields.indices { #expect(stored.value(of: fields[index]) == values[index]) }
    }

    @Test func pullsDuringPushesSeeEveryRecordExactlyOnceInTheEnd() async throws {
        let h = try Harness()
        let writer = try h.user("w", role: .manager, branch: "BJ")
        let reader = try h.user("r", role: .manager, branch: "BJ")
        let total = 40
        async let pushing: Void = {
            for index in 0..<total { _ = h.push([makeCustomer(code: "C-\(index)")], token: writer) }
        }()
        // Pull incrementally while pushes are running; then once more after they finished.
        var seen: [RecordID] = []
        var cursor: String?
        for _ in 0..<10 {
            let page = try h.pullAll(token: reader, cursor: cursor, limit: 3)
            seen += page.records.map(\.id)
            cursor = page.cursor
        }
        await pushing
        seen += try h.pullAll(token: reader, cursor: cursor, limit: 3).records.map(\.id)
        #expect(seen.count == total)
        #expect(Set(seen).count == total)
    }
}
