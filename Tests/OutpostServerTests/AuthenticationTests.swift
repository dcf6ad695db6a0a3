import Foundation
import Testing
import OutpostClient
import OutpostCrypto
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostStore

@Suite("Authentication and protocol negotiation")
struct AuthenticationTests {
    @Test func healthAnswersWithoutAuthentication() throws {
        let h = try Harness()
        let response = h.send("GET", "/health", protocolHeader: false)
        #expect(response.status == 200)
        let json = try JSONValue.parse(response.body)
        #expect(json.objectValue?["status"] == "ok")
        #expect(json.objectValue?["protocolVersions"] == [2])
    }

    @Test(arguments: ["/v1/session", "/v1/pull"])
    func v1EndpointsWithoutTokenAre401Unauthorized(path: String) throws {
        let h = try Harness()
        try expectError(h.send("GET", path), 401, "unauthorized")
    }

    @Test func pushWithoutTokenIs401AndStoresNothing() throws {
        let h = try Harness()
        let token = try h.user("li")
        try expectError(h.send("POST", "/v1/push", body: h.pushBody([makeCustomer()])), 401, "unauthorized")
        #expect(try h.pullPage(token: token).records.isEmpty)
    }

    @Test(arguments: ["garbage", AccessToken.generate(), ""])
    func unknownTokenIs401Unauthorized(token: String) throws {
        let h = try Harness()
        _ = try h.user("li")
        try expectError(h.session(token: token), 401, "unauthorized")
    }

    @Test func nonBearerAuthorizationIs401Unauthorized() throws {
        let h = try Harness()
        let token = try h.user("li")
        try expectError(h.send("GET", "/v1/session", headers: ["Authorization": "Basic \(token)"]), 401, "unauthorized")
    }

    @Test func sessionDescribesTheTokensUser() throws {
        let h = try Harness()
        let token = try h.user("li", role: .manager, branch: "SH")
        let response = h.session(token: token)
        #expect(response.status == 200)
        let session = try SessionInfo(json: JSONValue.parse(response.body))
        #expect(session.user == "li")
        #expect(session.role == .manager)
        #expect(session.branch == "SH")
        #expect(session.serverID == h.database.serverID)
        #expect(session.protocolVersions == [2])
        #expect(session.maxBatchRecords == SyncProtocol.maxBatchRecords)
    }

    @Test func revokedTokenIsRefusedOnTheVeryNextRequest() throws {
        let h = try Harness()
        let token = try h.user("li")
        #expect(h.session(token: token).status == 200)
        try h.database.revokeUser(name: "li")
        try expectError(h.session(token: token), 401, "unauthorized")
        try expectError(h.push([makeCustomer()], token: token), 401, "unauthorized")
        try expectError(h.pull(token: token), 401, "unauthorized")
    }

    @Test func revokingOneUserLeavesOthersSignedIn() throws {
        let h = try Harness()
        let li = try h.user("li")
        let wang = try h.user("wang")
        try h.database.revokeUser(name: "li")
        try expectError(h.session(token: li), 401, "unauthorized")
        #expect(h.session(token: wang).status == 200)
    }

    @Test func rotatedTokenReplacesTheOldOne() throws {
        let h = try Harness()
        let old = try h.user("li")
        let new = try h.database.rotateToken(name: "li")
        #expect(new != old)
        try expectError(h.session(token: old), 401, "unauthorized")
        #expect(h.session(token: new).status == 200)
    }

    /// Rotating used to bring a revoked user back silently; now only `reactivate` does.
    @Test func rotatingADeactivatedUserIsRefusedAndReactivatingIssuesAWorkingToken() throws {
        let h = try Harness()
        let old = try h.user("li")
        try h.database.revokeUser(name: "li")
        #expect(throws: UserAdminError.deactivated("li")) { try h.database.rotateToken(name: "li") }
        try expectError(h.session(token: old), 401, "unauthorized")
        let new = try h.database.reactivateUser(name: "li")
        try expectError(h.session(token: old), 401, "unauthorized")
        #expect(h.session(token: new).status == 200)
    }

    @Test func tokensAreStoredOnlyAsSHA256Hashes() throws {
        let h = try Harness(storage: .sqlite)
        let tokens = [try h.user("li"), try h.user("wang", role: .hq, branch: "HQ")]
        let rotated = try h.database.rotateToken(name: "li")
        let path = h.server.path("server.db")
        let database = try DatabaseQueue(path: path)
        let rows = try database.read { db in try db.fetchAll(sql: "SELECT name, role, branch, token_hash, created_at, revoked_at FROM users") }
        #expect(rows.count == 2)
        let hashes = Set(rows.compactMap { row -> String? in row[3] })
        #expect(hashes == [AccessToken.hash(rotated), AccessToken.hash(tokens[1])])
        for row in rows {
            let hash: String? = row[3]
            #expect(hash?.count == 64)
            for index in 0..<6 {
                let text = "\(row[index])"
                for token in tokens + [rotated] { #expect(!text.contains(token)) }
            }
        }
        // Nor anywhere in the database files.
        for suffix in ["", "-wal"] {
            guard let data = FileManager.default.contents(atPath: path + suffix) else { continue }
            let bytes = [UInt8](data)
            for token in tokens + [rotated] {
                #expect(!contains(bytes, Array(token.utf8)), "token found in server.db\(suffix)")
            }
        }
    }

    @Test func supportedProtocolHeaderIsAccepted() throws {
        let h = try Harness()
        let token = try h.user("li")
        #expect(h.send("GET", "/v1/session", token: token, headers: ["Outpost-Protocol": "2"]).status == 200)
        #expect(h.send("GET", "/v1/session", token: token, protocolHeader: false).status == 200)
    }

    @Test(arguments: ["99", "0", "1", "abc", "1.5"])
    func unsupportedProtocolIs400UnsupportedProtocol(version: String) throws {
        let h = try Harness()
        let token = try h.user("li")
        let response = h.send("GET", "/v1/session", token: token, headers: ["Outpost-Protocol": version])
        let body = try expectError(response, 400, "unsupported_protocol")
        #expect(body.details.map(\.message) == ["2"])
        let push = h.send("POST", "/v1/push", token: token, headers: ["Outpost-Protocol": version], body: h.pushBody([makeCustomer()]))
        try expectError(push, 400, "unsupported_protocol")
        #expect(try h.pullPage(token: token).records.isEmpty)
    }

    @Test func everyResponseCarriesTheProtocolHeader() throws {
        let h = try Harness()
        let token = try h.user("li")
        let responses = [
            h.send("GET", "/health"),
            h.session(token: token),
            h.pull(token: token),
            h.push([makeCustomer()], token: token),
            h.session(token: nil),
            h.session(token: "garbage"),
            h.send("GET", "/v1/session", token: token, headers: ["Outpost-Protocol": "99"]),
            h.pushRaw("{", token: token),
            h.pull(token: token, limit: 0),
            h.send("GET", "/nowhere", token: token),
            h.send("DELETE", "/v1/push", token: token),
        ]
        for response in responses {
            #expect(response.headers["outpost-protocol"] == "2", "status \(response.status): \(response.text)")
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    let first = needle[0]
    var index = 0
    while index <= haystack.count - needle.count {
        if haystack[index] == first && Array(haystack[index..<index + needle.count]) == needle { return true }
        index += 1
    }
    return false
}
