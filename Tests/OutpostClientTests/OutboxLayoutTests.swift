import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore
import OutpostTestSupport

/// The outbox row carries the record's acknowledged counter (migration v7): a local edit writes a
/// few pages, replicas made before keep their pending edits and their pending batch, and refused
/// edits keep their counter until edited again.
@Suite("Outbox layout")
struct OutboxLayoutTests {
    static func wal(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The b-tree (table or index) of each page the WAL holds, in frame order (SQLite's `dbstat`).
    static func walTrees(_ path: String) throws -> [String] {
        let bytes = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        var pages: [Int64] = []
        var offset = 32
        while offset + 24 + 4_096 <= bytes.count {
            pages.append(bytes[offset..<(offset + 4)].reduce(Int64(0)) { $0 << 8 | Int64($1) })
            offset += 24 + 4_096
        }
        let names = try DatabaseQueue(path: path).read { db in
            Dictionary(try db.fetchAll(sql: "SELECT pageno, name FROM dbstat").map { ($0[0] as Int64? ?? 0, $0[1] as String? ?? "") },
                       uniquingKeysWith: { first, _ in first })
        }
        return pages.map { names[$0] ?? "page \($0)" }
    }

    /// Copies the WAL into the database and empties it, so the next write's WAL size is its own.
    static func checkpoint(_ path: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    static func rows(_ path: String, _ sql: String) throws -> [[String]] {
        try DatabaseQueue(path: path).read { db in
            try db.fetchAll(sql: sql).map { row in (0..<row.count).map { index in
                let value: DatabaseValue = row[index]
                switch value {
                case .integer(let number): return String(number)
                case .text(let text): return text
                default: return "NULL"
                }
            } }
        }
    }

    @Test func aLocalEditWritesTheRecordTheClockAndItsOutboxRowOnly() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let path = server.path("pages.db")
        let replica = try Replica(path: path)
        var received: [Record] = []
        let node = NodeID.random()
        for index in 0..<2_000 {
            received.append(Record.create(id: .random(), type: .customer, branch: "BJ", fields: Fixture.customer("C-\(index)", name: "Customer \(index)"),
                                          node: node, at: HybridTimestamp(millis: 1_700_000_000_000 + Int64(index), logical: 0)))
        }
        try replica.storeReceived(received)
        try replica.update(received[0].id, fields: ["notes": "warm-up"])
        let frame = 4_096 + 24, header = 32
        for round in 1...3 {
            let id = received[round * 500].id
            try Self.checkpoint(path)
            try replica.update(id, fields: ["notes": "Called back"])
            // The record, the clock in meta, the outbox row and its record_id index entry. A record
            // that grows out of a full page splits it: more pages of the records table (and the
            // database header, as the file grows), but still nothing else.
            var trees = try Self.walTrees(path)
            #expect(trees.filter { $0 != "records" && $0 != "sqlite_schema" }.sorted() == ["meta", "outbox", "sqlite_autoindex_outbox_1"],
                    "first edit, round \(round): \(trees)")
            if trees.filter({ $0 == "records" }).count == 1 {
                #expect(Self.wal(path) <= header + 4 * frame, "first edit, round \(round): \(Self.wal(path)) bytes")
            }
            try Self.checkpoint(path)
            try replica.update(id, fields: ["notes": "Called back again"])
            // The record, the clock and the outbox row.
            trees = try Self.walTrees(path)
            #expect(trees.filter { $0 != "records" && $0 != "sqlite_schema" }.sorted() == ["meta", "outbox"], "later edit, round \(round): \(trees)")
            if trees.filter({ $0 == "records" }).count == 1 {
                #expect(Self.wal(path) <= header + 3 * frame, "later edit, round \(round): \(Self.wal(path)) bytes")
            }
        }
        #expect(try replica.pendingChangeCount() == 4)
    }

    @Test func aReplicaFromBeforeTheMigrationKeepsItsPendingEditsAndRetriesTheSameBatch() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        var alice = try await makeClient(server, "alice")
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        let c1 = try alice.replica.create(.customer, fields: Fixture.customer("C-1"))
        try await alice.sync(server)
        try alice.replica.update(c1.id, fields: ["notes": "first pending edit"])
        let c2 = try alice.replica.create(.customer, fields: Fixture.customer("C-2"))
        let c3 = try alice.replica.create(.customer, fields: Fixture.customer("C-3"))
        let batch = try #require(try alice.replica.pendingBatch(limit: 2))
        #expect(batch.request.records.map(\.id) == [c1.id, c2.id])
        try alice.replica.update(c1.id, fields: ["notes": "edited while the batch waits"])
        let acked = try Self.rows(alice.path, "SELECT record_id, acked FROM outbox ORDER BY seq")

        // The file as version 6 left it: outbox numbered by a global edit counter (AUTOINCREMENT, an
        // index on edit) and the acknowledged counters in their own table.
        try DatabaseQueue(path: alice.path).write { db in
            try db.execute(sql: """
                CREATE TABLE outbox_v6 (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL UNIQUE, edit INTEGER NOT NULL)
                """)
            try db.execute(sql: "INSERT INTO outbox_v6(seq, record_id, edit) SELECT seq, record_id, 1000 * edit FROM outbox")
            try db.execute(sql: "UPDATE pending_entries SET outbox_seq = 1000 * outbox_seq")
            try db.execute(sql: "INSERT INTO acked(record_id, counter) SELECT record_id, acked FROM outbox")
            try db.execute(sql: "DROP TABLE outbox")
            try db.execute(sql: "ALTER TABLE outbox_v6 RENAME TO outbox")
            try db.execute(sql: "CREATE INDEX outbox_by_edit ON outbox(edit)")
            try db.execute(sql: "DELETE FROM outpost_migrations WHERE identifier LIKE 'v7 %'")
        }
        try alice.reopen()
        #expect(try alice.replica.pendingChangeCount() == 3)
        #expect(try Self.rows(alice.path, "SELECT record_id, acked FROM outbox ORDER BY seq") == acked, "counters moved into the rows")
        #expect(try Self.rows(alice.path, "SELECT COUNT(*) FROM acked") == [["0"]])
        let retried = try #require(try alice.replica.pendingBatch(limit: 10))
        #expect(retried.request == batch.request && retried.entries.map(\.record) == [c1.id, c2.id])
        #expect(retried.request.canonicalJSON() == batch.request.canonicalJSON(), "byte-identical retry")
        try alice.replica.update(c3.id, fields: ["notes": "after the upgrade"])

        let report = try await alice.sync(server)
        #expect(report.pushed == 4, "the pending batch (2), then c1's later edit and c3")
        #expect(try alice.replica.pendingChangeCount() == 0)
        try await observer.sync(server)
        for id in [c1.id, c2.id, c3.id] { #expect(try observer.replica.record(id) == alice.replica.record(id)) }
        #expect(try observer.replica.record(c1.id)?.value(of: "notes") == "edited while the batch waits")
    }

    @Test func aRefusedEditKeepsItsAcknowledgedCounterUntilEditedAgain() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let c1 = try alice.replica.create(.customer, fields: Fixture.customer("C-1"))
        try await alice.sync(server)
        try alice.replica.update(c1.id, fields: ["notes": "refused"])
        #expect(try Self.rows(alice.path, "SELECT acked FROM outbox") == [["1"]], "the server holds write 1")
        let batch = try #require(try alice.replica.pendingBatch(limit: 10))
        #expect(try alice.replica.refuse(batch, error: ErrorBody(code: "forbidden", message: "no")) == 1)
        #expect(try alice.replica.pendingChangeCount() == 0)
        #expect(try Self.rows(alice.path, "SELECT record_id, counter FROM acked") == [[c1.id.rawValue, "1"]])
        try alice.replica.update(c1.id, fields: ["notes": "tried again"])
        #expect(try Self.rows(alice.path, "SELECT acked FROM outbox") == [["1"]])
        #expect(try Self.rows(alice.path, "SELECT COUNT(*) FROM acked") == [["0"]])
        #expect(try alice.replica.refusedEdits().isEmpty)
        try await alice.sync(server)
        #expect(try alice.replica.pendingChangeCount() == 0)
        #expect(try Self.rows(alice.path, "SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM acked)") == [["0"]])
    }
}
