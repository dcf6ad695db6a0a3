import OutpostModel

/// The policy step of a client sync (SPEC §15): fetch the policy document when it changed and
/// lease a block of customer codes when this device is running low.
public struct PolicySync: Sendable {
    /// The local replica.
    public let replica: Replica
    /// The server API.
    public let api: SyncAPI

    /// Creates the step.
    public init(replica: Replica, api: SyncAPI) {
        self.replica = replica
        self.api = api
    }

    /// What the step did.
    public struct Report: Sendable, Hashable {
        /// The policy version now stored.
        public var policyVersion: Int64 = 0
        /// A newer policy document was received.
        public var policyChanged = false
        /// Codes leased in this sync.
        public var codesLeased: Int64 = 0
        /// Why the server's policy document was not taken (e.g. a newer format than this app reads);
        /// the stored one stays in force.
        public var policyProblem: String?
    }

    /// Runs the step at `now` (UTC ms; only used to pick the year of the code series). A server
    /// without policy endpoints (404) leaves the defaults in place. Roles that cannot create
    /// customers (auditor) lease nothing.
    public func run(now: Int64, isolation: isolated (any Actor)? = #isolation) async throws -> Report {
        var report = Report()
        let etag = try replica.policyETag()
        do {
            if let (document, newTag) = try await api.policy(ifNoneMatch: etag) {
                report.policyChanged = try replica.storePolicy(document)
                try replica.setPolicyETag(newTag)
            }
        } catch SyncError.protocolViolation(let reason) {
            report.policyProblem = reason   // keep the stored document; the rest of the sync stands
        }
        let policy = try replica.policy()
        report.policyVersion = policy.version
        guard let settings = try replica.settings(), settings.role != .auditor else { return report }
        if try replica.remainingCodes(now: now) < max(1, policy.codes.blockSize / 2), let request = try replica.pendingCodeLease(now: now) {
            do {
                let block = try await api.leaseCodes(request)
                try replica.addCodeBlock(block)
                report.codesLeased = block.last - block.first + 1
            } catch SyncError.rejected(let status, _) where status == 404 {
                try replica.dropPendingCodeLease()   // a server without code leases
            } catch SyncError.rejected(let status, let error) where status == 403 || error.code == "lease_reused" {
                try replica.dropPendingCodeLease()
            }
        }
        return report
    }
}

extension Replica {
    /// The ETag of the stored policy document, sent as `If-None-Match`.
    func policyETag() throws -> String? { try queue.read { db in try Self.meta(db, "policy_etag") } }

    func setPolicyETag(_ etag: String?) throws {
        try queue.write { db in
            if let etag { try Self.setMeta(db, "policy_etag", etag) } else { try db.execute(sql: "DELETE FROM meta WHERE key = 'policy_etag'") }
        }
    }
}
