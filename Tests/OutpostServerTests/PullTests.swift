import Foundation
import Testing
import OutpostClient
import OutpostModel
import OutpostServer

@Suite("Pull: pagination and cursors")
struct PullTests {
    @Test func pagesFollowTheLimitAndReturnEveryRecordOnceInSeqOrder() throws {
        let h = try Harness()
        let token = try h.user("li")
        let records = (0..<25).map { makeCustomer(code: "C-\($0)") }
        let pushed = try h.pushOK(records, token: token)
        var cursor: String?
        var sizes: [Int] = []
        var more: [Bool] = []
        var cursors: [String] = []
        var pulled: [Record] = []
        for _ in 0..<3 {
            let page = try h.pullPage(token: token, cursor: cursor, limit: 10)
            sizes.append(page.records.count)
            more.append(page.hasMore)
            cursors.append(page.cursor)
            pulled += page.records
            cursor = page.cursor
        }
        #expect(sizes == [10, 10, 5])
        #expect(more == [true, true, false])
        #expect(Set(cursors).count == 3)
        #expect(pulled == records)
        // Ordered by seq: the push answered seqs in request order.
        let seqByID = Dictionary(uniqueKeysWithValues: pushed.results.map { ($0.id, $0.seq) })
        let seqs = pulled.map { seqByID[$0.id]! }
        #expect(seqs == seqs.sorted())
        // The last cursor is at the end: nothing more.
        let end = try h.pullPage(token: token, cursor: cursor, limit: 10)
        #expect(end.records.isEmpty && !end.hasMore)
        #expect(end.cursor == cursor)
    }

    @Test func pageExactlyFillingTheLimitHasNoMore() throws {
        let h = try Harness()
        let token = try h.user("li")
        _ = try h.pushOK((0..<10).map { makeCustomer(code: "C-\($0)") }, token: token)
        let page = try h.pullPage(token: token, limit: 10)
        #expect(page.records.count == 10)
        #expect(!page.hasMore)
    }

    @Test func emptyServerAnswersAnEmptyPageWithACursor() throws {
        let h = try Harness()
        let token = try h.user("li")
        let page = try h.pullPage(token: token)
        #expect(page.records.isEmpty && !page.hasMore)
        #expect(page.cursor.hasPrefix(h.database.serverID))
        _ = try h.pullPage(token: token, cursor: page.cursor)
    }

    @Test func recordChangedAfterBeingPulledAppearsAgainAfterTheCursor() throws {
        let h = try Harness()
        let token = try h.user("li")
        let records = (0..<5).map { makeCustomer(code: "C-\($0)") }
        _ = try h.pushOK(records, token: token)
        let first = try h.pullAll(token: token)
        #expect(first.records == records)
        let changed = try edited(records[1], ["name": "Renamed"])
        _ = try h.pushOK([changed], token: token)
        let next = try h.pullAll(token: token, cursor: first.cursor)
        #expect(next.records == [changed])
        // A full pull lists the record once, in its new position.
        let all = try h.pullAll(token: token).records
        #expect(all.map(\.id) == [records[0], records[2], records[3], records[4], changed].map(\.id))
    }

    @Test func recordChangedBetweenPagesIsNotLost() throws {
        let h = try Harness()
        let token = try h.user("li")
        let records = (0..<6).map { makeCustomer(code: "C-\($0)") }
        _ = try h.pushOK(records, token: token)
        let page1 = try h.pullPage(token: token, limit: 3)
        // A record of the first page and one of the not-yet-pulled second page change.
        let a = try edited(records[0], ["name": "A"])
        let b = try edited(records[4], ["name": "B"])
        _ = try h.pushOK([a, b], token: token)
        let rest = try h.pullAll(token: token, cursor: page1.cursor, limit: 3).records
        var latest: [RecordID: Record] = [:]
        for record in page1.records + rest { latest[record.id] = record }
        #expect(latest.count == 6)
        #expect(latest[a.id] == a)
        #expect(latest[b.id] == b)
    }

    @Test(arguments: ["garbage", "", ".5", "abc.xyz", "abc.-1"])
    func malformedCursorIs400InvalidCursor(cursor: String) throws {
        let h = try Harness()
        let token = try h.user("li")
        if cursor.isEmpty {
            // An empty cursor means "from the beginning".
            #expect(h.pull(token: token, cursor: cursor).status == 200)
        } else {
            try expectError(h.pull(token: token, cursor: cursor), 400, "invalid_cursor")
        }
    }

    @Test func cursorFromAnotherServerIs400InvalidCursor() throws {
        let h = try Harness()
        let other = try Harness()
        let token = try h.user("li")
        let otherToken = try other.user("li")
        _ = try other.pushOK([makeCustomer()], token: otherToken)
        let foreign = try other.pullPage(token: otherToken).cursor
        #expect(h.database.serverID != other.database.serverID)
        try expectError(h.pull(token: token, cursor: foreign), 400, "invalid_cursor")
        let forged = "\(other.database.serverID).0"
        try expectError(h.pull(token: token, cursor: forged), 400, "invalid_cursor")
    }

    @Test(arguments: ["0", "6000", "abc", "-1", "", "5001"])
    func limitOutsideOneToMaximumIs400InvalidRequest(limit: String) throws {
        let h = try Harness()
        let token = try h.user("li")
        let response = h.send("GET", "/v1/pull", token: token, query: [("limit", limit)])
        try expectError(response, 400, "invalid_request")
    }

    @Test(arguments: ["1", "5000"])
    func limitAtTheBoundsIsAccepted(limit: String) throws {
        let h = try Harness()
        let token = try h.user("li")
        #expect(h.send("GET", "/v1/pull", token: token, query: [("limit", limit)]).status == 200)
    }

    @Test func unknownQueryParameterIs400InvalidRequest() throws {
        let h = try Harness()
        let token = try h.user("li")
        try expectError(h.send("GET", "/v1/pull", token: token, query: [("since", "0")]), 400, "invalid_request")
        try expectError(h.send("GET", "/v1/pull", token: token, query: [("limit", "10"), ("branch", "SH")]), 400, "invalid_request")
    }
}
