import Testing
import OutpostJSON
import OutpostModel
@testable import OutpostStore

@Suite("Record table")
struct RecordTableTests {
    let table = RecordTable("records")
    let a = NodeID(unchecked: "a")
    let b = NodeID(unchecked: "b")

    func makeQueue() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in try db.execute(sql: "CREATE TABLE records (id TEXT PRIMARY KEY, state TEXT NOT NULL)") }
        return queue
    }

    func write(_ db: Database, _ record: Record) throws {
        try db.execute(sql: "INSERT INTO records(id, state) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state",
                       arguments: [record.id.rawValue, String(decoding: record.canonicalJSON(), as: UTF8.self)])
    }

    func customer(_ node: NodeID) -> Record {
        Record.create(id: RecordID(unchecked: "00000000-0000-4000-8000-000000000001"), type: .customer, branch: "BJ",
                      fields: ["name": "Acme", "tier": "core"], node: node, at: HybridTimestamp(millis: 1))
    }

    @Test func mergeInsertsThenMergesThenChangesNothingTheSecondTime() throws {
        let queue = try makeQueue()
        let base = customer(a)
        var left = base
        var right = base
        try left.write(["name": "Left"], node: a, at: HybridTimestamp(millis: 2))
        try right.write(["tier": "general"], node: b, at: HybridTimestamp(millis: 3))
        try queue.write { db in
            #expect(try table.merge(db, left) { try write(db, $0) } == .inserted(left))
            let merged = try left.merged(with: right)
            #expect(try table.merge(db, right) { try write(db, $0) } == .updated(from: left, to: merged))
            var writes = 0
            #expect(try table.merge(db, right) { _ in writes += 1 } == .unchanged(merged))
            #expect(writes == 0)
            #expect(try table.load(db, left.id) == merged)
        }
    }

    @Test func mergesInATransactionThatFailsLeaveNothing() throws {
        let queue = try makeQueue()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try queue.write { db in
                try table.merge(db, customer(a)) { try write(db, $0) }
                throw Abort()
            }
        }
        #expect(try queue.read { db in try table.load(db, customer(a).id) } == nil)
    }

    @Test func damagedStateIsReportedWithTheRecordID() throws {
        let queue = try makeQueue()
        let id = customer(a).id
        try queue.write { db in try db.execute(sql: "INSERT INTO records(id, state) VALUES (?, '{not json')", arguments: [id.rawValue]) }
        #expect(throws: RecordTableError.self) { try queue.read { db in try table.load(db, id) } }
    }
}
