import OutpostJSON
/// Company CRM policies derived from record values: contact cadence and complaint deadlines,
/// computed from a ``PolicyDocument`` (the built-in defaults unless one is given; a replica
/// passes the document it received at sync).
public enum Policies {
    /// Days between contacts expected for a customer tier under `policy`
    /// (defaults: core 30, important 60, potential 90, general 90).
    public static func revisitIntervalDays(tier: String, policy: PolicyDocument = .default) -> Int? {
        policy.cadence.intervalDays[tier].map(Int.init)
    }

    /// Complaint statuses that mean the complaint is still being handled.
    public static let openComplaintStatuses: Set<String> = ["open", "in-progress"]

    /// A complaint's deadline from its category, time received, branch calendar and (for general
    /// complaints) the customer's requested date, and whether it has passed at `now` (UTC ms)
    /// while the complaint is still open; `nil` when the category or time is missing.
    ///
    /// ```swift
    /// if let deadline = Policies.deadline(ofComplaint: record, now: now, policy: policy), deadline.isOverdue { … }
    /// ```
    public static func deadline(ofComplaint complaint: Record, now: Int64, policy: PolicyDocument = .default) -> ComplaintDeadline? {
        guard let schedule = policy.schedule(ofComplaint: complaint, now: now) else { return nil }
        return ComplaintDeadline(dueMillis: schedule.dueMillis, isOverdue: schedule.isOverdue)
    }

    /// When a customer of `tier` last visited at `lastVisit` (UTC ms) is due again (UTC ms): the end
    /// of the local day (default calendar) the interval ends on.
    public static func nextVisitDue(tier: String, lastVisit: Int64, policy: PolicyDocument = .default) -> Int64? {
        policy.nextContactDue(tier: tier, lastContact: lastVisit, calendar: policy.calendars.default)
    }
}

/// When a complaint must be resolved under the complaint policy (``PolicyDocument/schedule(ofComplaint:now:)``).
public struct ComplaintDeadline: Sendable, Hashable {
    /// The deadline (UTC ms).
    public var dueMillis: Int64
    /// The deadline has passed and the complaint is still open or in progress.
    public var isOverdue: Bool

    /// Creates a deadline.
    public init(dueMillis: Int64, isOverdue: Bool) {
        self.dueMillis = dueMillis
        self.isOverdue = isOverdue
    }
}
