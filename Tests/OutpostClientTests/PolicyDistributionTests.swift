import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// A configured replica of `user` syncing with `server` in-process.
func policyDevice(_ server: TestServer, _ name: String, role: Role = .sales, branch: String = "SH") throws -> (Replica, SyncEngine) {
    let token = try server.addUser(name, role: role, branch: branch)
    let replica = try Replica(path: server.path("\(name).db"))
    try replica.configure(ReplicaSettings(serverURL: "http://in-process", token: token, user: name, role: role, branch: branch,
                                          serverID: server.database.serverID))
    return (replica, SyncEngine(replica: replica, api: SyncAPI(transport: server.transport, token: token)))
}

@Suite("Policy distribution and code leases")
struct PolicyDistributionTests {
    static let now = Timestamps.parse("2026-11-20T02:00:00Z")!

    @Test func devicesReceiveTheServersPolicyAndAnswerLikeTheServer() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (replica, engine) = try policyDevice(server, "li", role: .manager)
        #expect(try replica.policy() == .default)
        var policy = PolicyDocument.default
        policy.cadence.intervalDays["core"] = 14
        policy.calendars.branches["SH"] = WorkingCalendar(holidays: [LocalDate("2026-11-04")!])
        let stored = try server.database.setPolicy(policy)
        #expect(stored.version == 1)

        let report = try await engine.sync()
        #expect(report.policyVersion == 1)
        #expect(try replica.policy() == stored)

        let customer = try replica.createCustomer(["name": "Acme", "kind": "enterprise", "tier": "core"], now: Self.now)
        try replica.create(.visit, fields: ["customer": .string(customer.id.rawValue), "method": "onsite", "actualAt": "2026-11-01T02:00:00Z"])
        let complaint = try replica.create(.complaint, fields: [
            "customer": .string(customer.id.rawValue), "receivedAt": "2026-11-02T10:00:00+08:00", "channel": "phone",
            "content": "late delivery", "category": "responsible-general", "status": "open",
        ])
        // Core every 14 days: due by the end of 15 November; the holiday on Wednesday moves the complaint to Thursday.
        #expect(try replica.visitSchedule().first?.dueMillis == Timestamps.parse("2026-11-15T16:00:00Z"))
        let due = try #require(try replica.complaintSchedules(now: Self.now).first { $0.complaint.id == complaint.id })
        #expect(due.schedule.dueMillis == Timestamps.parse("2026-11-05T16:00:00Z"))
        #expect(try replica.overdueComplaints(now: Self.now).map(\.complaint.id) == [complaint.id])

        // The server computes the same from the same records.
        _ = try await engine.sync()
        let onServer = try server.database.policy().schedule(ofComplaint: try #require(server.database.records(.complaint, scope: AccessScope(role: .hq, branch: "HQ")).first), now: Self.now)
        #expect(onServer == due.schedule)
        let month = try ReportMonth("2026-11")
        #expect(try server.database.monthlyReport(month: month, scope: AccessScope(role: .hq, branch: "HQ"), now: Self.now)
                == replica.monthlyReport(month: month, now: Self.now))
        let fromAPI = try await SyncAPI(transport: server.transport, token: try server.addUser("boss", role: .hq, branch: "HQ")).monthlyReport(month: month)
        let local = try replica.monthlyReport(month: month, now: Self.now).jsonValue
        // The endpoint's overdue lists are as of the server's clock; the month's figures are the same.
        for section in ["month", "policyVersion", "complaints", "activity", "customers", "targets"] {
            #expect(fromAPI.objectValue?[section] == local.objectValue?[section], "\(section)")
        }
    }

    @Test func unchangedPolicyIsNotSentAgain() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        try server.database.setPolicy(PolicyDocument.default)
        let token = try server.addUser("li", role: .sales, branch: "SH")
        let api = SyncAPI(transport: server.transport, token: token)
        let first = try #require(try await api.policy())
        #expect(first.document.version == 1 && first.etag == "\"policy-1\"")
        #expect(try await api.policy(ifNoneMatch: first.etag) == nil, "304 Not Modified")
        try server.database.setPolicy(PolicyDocument.default)
        #expect(try await api.policy(ifNoneMatch: first.etag)?.document.version == 2)
    }

    @Test func codesFromLeasedBlocksNeverCollideAcrossDevices() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        var policy = PolicyDocument.default
        policy.codes.blockSize = 3
        try server.database.setPolicy(policy)
        let (li, liEngine) = try policyDevice(server, "li")
        let (wang, wangEngine) = try policyDevice(server, "wang")
        #expect(throws: PolicyError.noCodesLeft(branch: "SH")) { try li.issueCustomerCode(now: Self.now) }
        #expect(try await liEngine.sync().codesLeased == 3)
        #expect(try await wangEngine.sync().codesLeased == 3)
        // Offline from here: each device issues its own block, then the next sync leases another.
        var codes: [String] = []
        for _ in 0..<3 {
            codes.append(try li.createCustomer(["name": "L", "kind": "tenant", "tier": "general"], now: Self.now).value(of: "code")!.stringValue!)
            codes.append(try wang.createCustomer(["name": "W", "kind": "tenant", "tier": "general"], now: Self.now).value(of: "code")!.stringValue!)
        }
        #expect(throws: PolicyError.noCodesLeft(branch: "SH")) { try li.issueCustomerCode(now: Self.now) }
        #expect(codes.sorted() == (1...6).map { "SH-2026-0000\($0)" })
        #expect(try await liEngine.sync().codesLeased == 3)
        #expect(try li.issueCustomerCode(now: Self.now) == "SH-2026-00007")
        _ = try await wangEngine.sync()
        _ = try await liEngine.sync()
        #expect(try li.duplicateCustomerCodes().isEmpty)
    }

    @Test func aLeaseRetriedAfterALostAnswerGetsTheSameBlock() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (replica, engine) = try policyDevice(server, "li")
        let api = engine.api
        // The request is recorded before it is sent; the answer is lost (the device never stores it).
        let request = try #require(try replica.pendingCodeLease(now: Self.now))
        let lost = try await api.leaseCodes(request)
        #expect(try replica.pendingCodeLease(now: Self.now) == request, "asked again with the same lease id")
        let report = try await engine.sync()
        #expect(report.codesLeased == 50)
        #expect(try replica.remainingCodes(now: Self.now) == 50)
        #expect(try replica.issueCustomerCode(now: Self.now) == "SH-2026-\(String(format: "%05d", lost.first))")
        // The next lease continues after it: nothing was leased twice.
        let other = try await api.leaseCodes(CodeLeaseRequest(lease: RecordID.random().rawValue, branch: "SH", year: 2026))
        #expect(other.first == lost.last + 1)
    }

    @Test func leasesAreRefusedOutsideTheUsersScopeAndSkipHandTypedCodes() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (replica, engine) = try policyDevice(server, "li")
        try replica.create(.customer, fields: ["code": "SH-2026-00004", "name": "Typed", "kind": "tenant", "tier": "general"])
        _ = try await engine.sync()
        #expect(try replica.issueCustomerCode(now: Self.now) == "SH-2026-00005", "numbers up to a hand-typed code are skipped")
        do {
            _ = try await engine.api.leaseCodes(CodeLeaseRequest(lease: RecordID.random().rawValue, branch: "BJ", year: 2026))
            Issue.record("a sales user of SH leased codes for BJ")
        } catch SyncError.rejected(let status, let error) {
            #expect(status == 403 && error.code == "forbidden")
        }
        let auditor = try policyDevice(server, "audit", role: .auditor)
        #expect(try await auditor.1.sync().codesLeased == 0)
    }
}

@Suite("Code blocks survive restarts")
struct CodeBlockDurabilityTests {
    @Test func pendingLeasesAndIssuedNumbersAreKeptAcrossRestarts() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let now = PolicyDistributionTests.now
        let path: String
        let lease: CodeLeaseRequest
        do {
            let (replica, engine) = try policyDevice(server, "li")
            path = server.path("li.db")
            lease = try #require(try replica.pendingCodeLease(now: now))
            _ = try await engine.api.leaseCodes(lease)   // answered, but the app dies before storing the block
        }
        do {
            // Reopened: the same lease id is asked again, so the block the server gave is not lost.
            let replica = try Replica(path: path)
            #expect(try replica.pendingCodeLease(now: now) == lease)
            let engine = SyncEngine(replica: replica, api: SyncAPI(transport: server.transport,
                                                                   token: try #require(try replica.settings()).token))
            #expect(try await engine.sync().codesLeased == 50)
            #expect(try replica.issueCustomerCode(now: now) == "SH-2026-00001")
            #expect(try replica.issueCustomerCode(now: now) == "SH-2026-00002")
        }
        // Issued numbers are consumed durably: a restarted app continues after them.
        let reopened = try Replica(path: path)
        #expect(try reopened.issueCustomerCode(now: now) == "SH-2026-00003")
        #expect(try reopened.remainingCodes(now: now) == 47)
    }
}

@Suite("Policy documents from newer servers")
struct NewerPolicyTests {
    @Test func aNewerFormatIsNotTakenAndTheSyncStillCompletes() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .sales, branch: "SH")
        // A newer server answers with a format this app does not read; everything else is as usual.
        let router = server.router
        let transport = InProcessTransport { request in
            if request.path == "/v1/policy" {
                return TransportResponse(status: 200, headers: ["etag": "\"policy-9\""],
                                         body: Array(#"{"format":2,"version":9,"codes":{"scheme":"X{seq}"}}"#.utf8))
            }
            return router.handle(request)
        }
        let replica = try Replica(path: server.path("li.db"))
        try replica.configure(ReplicaSettings(serverURL: "http://in-process", token: token, user: "li", role: .sales, branch: "SH",
                                              serverID: server.database.serverID))
        let report = try await SyncEngine(replica: replica, api: SyncAPI(transport: transport, token: token)).sync()
        #expect(report.policyProblem?.contains("format 2 is newer than this app understands") == true)
        #expect(try replica.policy() == .default)
        #expect(report.codesLeased == 50, "codes are still leased")
    }
}

@Suite("Issued codes are fixed")
struct IssuedCodesAreFixedTests {
    @Test func anIssuedCodeCannotBeEditedUnlessItClashes() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let (replica, engine) = try policyDevice(server, "li", role: .manager)
        _ = try await engine.sync()
        let issued = try replica.createCustomer(["name": "Acme", "kind": "tenant", "tier": "core"], now: PolicyDistributionTests.now)
        #expect(throws: ReplicaError.notAllowed("Customer code SH-2026-00001 was issued by the code scheme and is fixed.")) {
            try replica.update(issued.id, fields: ["code": "X-1"])
        }
        try replica.update(issued.id, fields: ["name": "Acme Ltd"])   // other fields stay editable
        // A hand-typed code can change, and a clashing issued code can be renamed to settle the clash.
        let typed = try replica.create(.customer, fields: ["code": "C-7", "name": "Typed", "kind": "tenant", "tier": "general"])
        try replica.update(typed.id, fields: ["code": "C-8"])
        let (other, otherEngine) = try policyDevice(server, "wang", role: .manager)
        _ = try await otherEngine.sync()
        try other.create(.customer, fields: ["code": "SH-2026-00001", "name": "Clash", "kind": "tenant", "tier": "general"])
        _ = try await otherEngine.sync()
        _ = try await engine.sync()
        #expect(try replica.duplicateCustomerCodes().first?.code == "SH-2026-00001")
        try replica.update(issued.id, fields: ["code": "SH-2026-00002"])
    }
}

@Suite("Codes before sign-in")
struct CodesBeforeSignInTests {
    @Test func aReplicaNotConnectedToAServerIssuesNoCodes() throws {
        let replica = try Replica(path: ":memory:")
        #expect(throws: SyncError.notConfigured) { try replica.issueCustomerCode(now: 0) }
        #expect(try replica.remainingCodes(now: 0) == 0)
        #expect(try replica.pendingCodeLease(now: 0) == nil)
        // A customer with a typed code needs no lease.
        #expect(try replica.createCustomer(["code": "C-1", "name": "Acme", "kind": "tenant", "tier": "core"], now: 0).value(of: "code") == "C-1")
    }
}
