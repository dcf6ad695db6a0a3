import Testing
@testable import OutpostStore

@Suite("RowChangeLog: rows changed, noted by the update hook")
struct RowChangeLogTests {
    @Test func writesAndDeletesOfWatchedTablesAreNotedWithTheirRowids() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE notes(id TEXT PRIMARY KEY, body TEXT)")
            try db.execute(sql: "CREATE TABLE other(x INTEGER)")
        }
        let log = RowChangeLog(tables: ["notes"])
        try queue.writeWithoutTransaction { db in db.logRowChanges(into: log) }
        try queue.write { db in
            try db.execute(sql: "INSERT INTO notes(id, body) VALUES ('a', 'one'), ('b', 'two')")
            // An upsert that updates, and a table nobody watches.
            try db.execute(sql: "INSERT INTO notes(id, body) VALUES ('a', 'uno') ON CONFLICT(id) DO UPDATE SET body = excluded.body")
            try db.execute(sql: "INSERT INTO other(x) VALUES (1)")
        }
        #expect(log.written[0] == [1, 2, 1])
        #expect(log.deleted[0] == 0)
        log.reset()
        #expect(log.isEmpty)
        try queue.write { db in try db.execute(sql: "DELETE FROM notes WHERE id = 'b'") }
        #expect(log.written[0].isEmpty)
        #expect(log.deleted[0] == 1)
    }
}
