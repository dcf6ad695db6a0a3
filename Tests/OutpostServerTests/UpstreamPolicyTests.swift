import Testing
import OutpostClient
import OutpostModel
import OutpostRelay
import OutpostServer
import OutpostTestSupport

@Suite("Branch servers hand on headquarters' policy")
struct UpstreamPolicyTests {
    @Test func theBranchServerTakesHeadquartersPolicyAndItsDevicesReceiveIt() async throws {
        let s = try UpstreamSyncTests.Setup()
        defer { s.cleanUp() }
        var policy = PolicyDocument.default
        policy.cadence.intervalDays["core"] = 10
        try s.hq.database.setPolicy(policy)
        try s.hq.database.setPolicy(policy)   // version 2 at headquarters
        let report = try await s.upstream.run()
        #expect(report.policyVersion == 2)
        #expect(try s.branch.policy().version == 2 && s.branch.policy().cadence.intervalDays["core"] == 10)
        #expect(try await s.branchClient.sync().policyVersion == 2)
        #expect(try s.branchReplica.policy() == s.hq.database.policy())
        // Unchanged at headquarters: nothing changes at the branch.
        #expect(try await s.upstream.run().policyVersion == 2)
    }
}
