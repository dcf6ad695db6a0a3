import OutpostJSON
/// Company CRM policies derived from record values: revisit cadence and complaint deadlines.
public enum Policies {
    /// Days between visits expected for a customer tier (core 30, important 60, potential 90, general 180).
    public static func revisitIntervalDays(tier: String) -> Int? {
        switch tier {
        case "core": return 30
        case "important": return 60
        case "potential": return 90
        case "general": return 180
        default: return nil
        }
    }

    /// Hours allowed to resolve a complaint of a category
    /// (responsible-major 24, responsible-general 72, not-responsible 120, assist 168).
    public static func complaintDeadlineHours(category: String) -> Int? {
        switch category {
        case "responsible-major": return 24
        case "responsible-general": return 72
        case "not-responsible": return 120
        case "assist": return 168
        default: return nil
        }
    }

    /// The deadline (UTC milliseconds) for a complaint received at `receivedAt` text, or `nil` when unknown.
    public static func complaintDeadline(category: String, receivedAt: String) -> Int64? {
        guard let hours = complaintDeadlineHours(category: category), let received = Timestamps.parse(receivedAt) else {
            return nil
        }
        return received + Int64(hours) * 3_600_000
    }

    /// Complaint statuses that mean the complaint is still being handled.
    public static let openComplaintStatuses: Set<String> = ["open", "in-progress"]

    /// A complaint's deadline from its category and time received, and whether it has passed at
    /// `now` (UTC ms) while the complaint is still open; `nil` when the category or time is missing.
    ///
    /// ```swift
    /// if let deadline = Policies.deadline(ofComplaint: record, now: now), deadline.isOverdue { … }
    /// ```
    public static func deadline(ofComplaint complaint: Record, now: Int64) -> ComplaintDeadline? {
        guard let category = complaint.value(of: "category")?.stringValue,
            let received = complaint.value(of: "receivedAt")?.stringValue,
            let due = complaintDeadline(category: category, receivedAt: received)
        else { return nil }
        let status = complaint.value(of: "status")?.stringValue ?? "open"
        return ComplaintDeadline(dueMillis: due, isOverdue: openComplaintStatuses.contains(status) && due < now)
    }

    /// When a customer of `tier` last visited at `lastVisit` (UTC ms) is due again (UTC ms).
    public static func nextVisitDue(tier: String, lastVisit: Int64) -> Int64? {
        guard let days = revisitIntervalDays(tier: tier) else { return nil }
        return lastVisit + Int64(days) * 86_400_000
    }
}

/// When a complaint must be resolved under ``Policies/complaintDeadlineHours(category:)``.
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
