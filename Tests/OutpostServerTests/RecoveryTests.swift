import Foundation
import Testing
import OutpostJSON
import OutpostModel
import OutpostServer

/// SPEC §11.1: a restore from backup begins a new epoch; old cursors ask for a recovery sync, the
/// diff endpoint names what the server lacks, and recovery pushes may carry other nodes' writes.
@Suite("Server restore and recovery")
struct RecoveryTests {
    /// A server restored from a backup taken after `before` and before `after` were pushed.
    struct Restored {
        let original: Harness
        let restored: Harness
        let token: String
        let cursor: String
        let before: Record
        let after: Record
    }

    static func restoredServer() throws -> Restored {
        let h = try Harness(storage: .sqlite)
        let token = try h.user("li", role: .manager)
        let before = makeCustomer(code: "C-1", node: nodeA)
        _ = try h.pushOK([before], token: token)
        let backup = h.server.path("backup.db")
        let summary = try ServerDatabase.backup(databaseAt: h.server.path("server.db"), to: backup)
        #expect(summary.records == 1)
        let after = makeCustomer(code: "C-2", node: nodeB)
        _ = try h.pushOK([after], token: token)
        let cursor = try h.pullAll(token: token).cursor
        let restoredPath = h.server.path("restored.db")
        let restoredSummary = try ServerDatabase.restore(from: backup, to: restoredPath)
        #expect(restoredSummary.records == 1)
        #expect(restoredSummary.epoch != h.database.epoch)
        return Restored(original: h, restored: try Harness(reopening: restoredPath, like: h), token: token, cursor: cursor,
                        before: before, after: after)
    }

    @Test func sessionAndCursorsCarryTheEpoch() throws {
        let h = try Harness(storage: .sqlite)
        let token = try h.user("li")
        let session = try SessionInfo(json: JSONValue.parse(h.session(token: token).body))
        #expect(session.epoch == h.database.epoch)
        #expect(session.protocolVersions == [2])
        let cursor = try h.pullPage(token: token).cursor
        #expect(cursor == "\(h.database.serverID).\(h.database.epoch).0")
    }

    @Test func aCursorFromBeforeTheRestoreIs409RecoveryRequired() throws {
        let r = try Self.restoredServer()
        #expect(r.restored.database.serverID == r.original.database.serverID)
        let body = try expectError(r.restored.pull(token: r.token, cursor: r.cursor), 409, "recovery_required")
        #expect(body.message.contains("restored from a backup"))
        // Without a cursor the client pulls everything again.
        #expect(try r.restored.pullAll(token: r.token).records == [r.before])
    }

    @Test func aCursorAheadOfTheNewestChangeIs409RecoveryRequired() throws {
        let h = try Harness(storage: .sqlite)
        let token = try h.user("li")
        _ = try h.pushOK([makeCustomer()], token: token)
        let ahead = "\(h.database.serverID).\(h.database.epoch).99"
        try expectError(h.pull(token: token, cursor: ahead), 409, "recovery_required")
        try expectError(h.pull(token: token, cursor: "\(h.database.serverID).1"), 400, "invalid_cursor")
        try expectError(h.pull(token: token, cursor: "0123456789abcdef.\(h.database.epoch).0"), 400, "invalid_cursor")
    }

    @Test func diffNamesTheRecordsTheServerLacks() throws {
        let r = try Self.restoredServer()
        let newer = try edited(r.before, ["notes": "after the backup"], node: nodeA, at: 9)
        let request = DiffRequest(records: [
            .init(id: r.after.id, clock: r.after.clock), .init(id: r.before.id, clock: r.before.clock), .init(id: newer.id, clock: newer.clock),
        ])
        let response = r.restored.send("POST", "/v1/diff", token: r.token, body: request.jsonValue.serializedBytes())
        #expect(response.status == 200, "\(response.text)")
        #expect(try DiffResponse(json: JSONValue.parse(response.body)).missing == [r.after.id, newer.id])
    }

    @Test func diffLeavesOutRecordsTheCallerMayNotRead() throws {
        let h = try Harness(storage: .sqlite)
        let hq = try h.user("zhao", role: .hq, branch: "HQ")
        let sales = try h.user("li", branch: "BJ")
        let shanghai = makeCustomer(branch: "SH", node: nodeB, owner: "chen")
        _ = try h.pushOK([shanghai], token: hq)
        let newer = try edited(shanghai, ["notes": "x"], node: nodeA, at: 5)
        let request = DiffRequest(records: [.init(id: newer.id, clock: newer.clock)]).jsonValue.serializedBytes()
        #expect(try DiffResponse(json: JSONValue.parse(h.send("POST", "/v1/diff", token: sales, body: request).body)).missing.isEmpty)
        #expect(try DiffResponse(json: JSONValue.parse(h.send("POST", "/v1/diff", token: hq, body: request).body)).missing == [newer.id])
        try expectError(h.send("POST", "/v1/diff", token: sales, body: Array(#"{"records":[],"x":1}"#.utf8)), 400, "invalid_request")
    }

    @Test func aRecoveryPushMayCarryOtherNodesWritesTheServerLacks() throws {
        let r = try Self.restoredServer()
        let earlier = r.original.database.epoch
        // A device of the same user re-offers node-b's record, lost by the restore, as node-a.
        try expectError(r.restored.push([r.after], token: r.token, node: nodeA), 403, "forbidden")
        let result = try r.restored.pushOK([r.after], token: r.token, node: nodeA, recoveringFrom: earlier).results[0]
        #expect(result.status == .accepted)
        #expect(Set(try r.restored.pullAll(token: r.token).records) == [r.before, r.after])
    }

    @Test func aRecoveryPushNamingAnUnknownOrTheCurrentEpochIs400() throws {
        let r = try Self.restoredServer()
        try expectError(r.restored.push([r.after], token: r.token, node: nodeA, recoveringFrom: "0000000000000000"), 400, "invalid_request")
        try expectError(r.restored.push([r.after], token: r.token, node: nodeA, recoveringFrom: r.restored.database.epoch), 400, "invalid_request")
    }

    @Test func aDeviceWhoseChainWasLostInTheRestoreIsRechained() throws {
        let r = try Self.restoredServer()
        // node-b's last batch is unknown to the restored server, node-a's row is from the old epoch: both go on.
        _ = try r.restored.pushOK([try edited(r.before, ["notes": "a"], node: nodeA, at: 20)], token: r.token, node: nodeA)
        _ = try r.restored.pushOK([makeCustomer(code: "C-3", node: nodeB)], token: r.token, node: nodeB)
        // A second copy replaying the same stale chain is now a reused node.
        let stale = PushRequest(batch: .random(), node: nodeA, after: nil, records: []).jsonValue.serializedBytes()
        try expectError(r.restored.send("POST", "/v1/push", token: r.token, body: stale), 409, "node_reused")
    }

    @Test func authorsNameTheUserOfEachNodeTheCallerMayRead() throws {
        let h = try Harness(storage: .sqlite)
        let li = try h.user("li", branch: "BJ")
        let chen = try h.user("chen", branch: "SH")
        let auditor = try h.user("qian", role: .auditor, branch: "HQ")
        _ = try h.pushOK([makeCustomer(node: nodeA)], token: li)
        _ = try h.pushOK([makeCustomer(branch: "SH", node: nodeB, owner: "chen")], token: chen)
        func authors(_ token: String) throws -> [NodeID: String] {
            let response = h.send("GET", "/v1/authors", token: token)
            try #require(response.status == 200, "\(response.text)")
            return try AuthorsResponse(json: JSONValue.parse(response.body)).authors
        }
        #expect(try authors(li) == [nodeA: "li"])
        #expect(try authors(chen) == [nodeB: "chen"])
        #expect(try authors(auditor) == [nodeA: "li", nodeB: "chen"])
    }

    @Test func restoringRemembersEveryEarlierEpoch() throws {
        let r = try Self.restoredServer()
        let earlier = try r.restored.database.earlierEpochs()
        #expect(earlier.contains(r.original.database.epoch))
        #expect(!earlier.contains(r.restored.database.epoch))
    }

    @Test func aBackupNeverOverwritesAFile() throws {
        let h = try Harness(storage: .sqlite)
        let target = h.server.path("exists.db")
        #expect(FileManager.default.createFile(atPath: target, contents: Data("keep".utf8)))
        #expect(throws: BackupError.destinationExists(target)) {
            try ServerDatabase.backup(databaseAt: h.server.path("server.db"), to: target)
        }
        #expect(FileManager.default.contents(atPath: target) == Data("keep".utf8))
    }

    @Test func diffAndAuthorsNeedAToken() throws {
        let h = try Harness(storage: .sqlite)
        try expectError(h.send("GET", "/v1/authors"), 401, "unauthorized")
        try expectError(h.send("POST", "/v1/diff", body: Array(#"{"records":[]}"#.utf8)), 401, "unauthorized")
        try expectError(h.send("GET", "/v1/diff", token: try h.user("li")), 405, "method_not_allowed")
    }
}
