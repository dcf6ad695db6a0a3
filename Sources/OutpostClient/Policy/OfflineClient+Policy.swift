import OutpostJSON
import OutpostModel

/// The company policies for apps: the policy document received at sync and what it computes.
extension OfflineClient {
    /// The policy document this device uses (version 0: built-in defaults until the first sync).
    public func policy() throws -> PolicyDocument { try replica.policy() }

    /// Creates a customer with the next leased code (when `fields` has none), offline
    /// (see ``Replica/createCustomer(_:branch:now:)``).
    /// - Throws: ``PolicyError/noCodesLeft(branch:)`` when the device must sync to lease codes.
    @discardableResult
    public func createCustomer(_ fields: [String: JSONValue], now: Int64) throws -> Record {
        try replica.createCustomer(fields, now: now)
    }

    /// Customers needing contact per salesperson at `now` (UTC ms) (see ``Replica/contactsDueBySalesperson(now:)``).
    public func contactsDueBySalesperson(now: Int64) throws -> [(owner: String, due: [ContactStatus])] {
        try replica.contactsDueBySalesperson(now: now)
    }

    /// Every complaint's deadlines at `now` (UTC ms) (see ``Replica/complaintSchedules(now:)``).
    public func complaintSchedules(now: Int64) throws -> [(complaint: Record, schedule: ComplaintSchedule)] {
        try replica.complaintSchedules(now: now)
    }

    /// The monthly report over this device's records (see ``Replica/monthlyReport(month:now:)``).
    public func monthlyReport(month: ReportMonth, now: Int64) throws -> MonthlyReport {
        try replica.monthlyReport(month: month, now: now)
    }

    /// The quarterly re-tiering proposals (see ``Replica/tierProposals(now:)``).
    public func tierProposals(now: Int64) throws -> [TierProposal] { try replica.tierProposals(now: now) }
}
