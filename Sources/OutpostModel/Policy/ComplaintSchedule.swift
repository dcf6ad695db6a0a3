import OutpostJSON

/// A complaint's deadlines under a ``PolicyDocument``: each handling step's due instant on the
/// branch's working calendar, escalation, and the follow-up revisit.
///
/// ```swift
/// let schedule = policy.schedule(ofComplaint: complaint, now: now)!
/// schedule.steps.map(\.step)        // ["notify-manager", "report-hq"] for a major complaint
/// schedule.isOverdue                // open and past the last step
/// ```
public struct ComplaintSchedule: Sendable, Hashable {
    /// One step and when it is due (UTC ms).
    public struct Step: Sendable, Hashable {
        /// What must be done, e.g. `report-hq`.
        public var step: String
        /// When (UTC ms): the end of the local day it falls on.
        public var dueMillis: Int64
    }

    /// The category as recorded.
    public var category: String
    /// The category deadlines follow: `responsible-major` for a collective complaint, else the recorded one.
    public var effectiveCategory: String
    /// The deadline key used (`assist-outside` for assistance outside the site).
    public var deadlineKey: String
    /// When it was received (UTC ms).
    public var receivedMillis: Int64
    /// The steps, in order.
    public var steps: [Step]
    /// The complaint's deadline (UTC ms): the customer's requested date for a general complaint
    /// that has one, else the last step's.
    public var dueMillis: Int64
    /// Collective (enough complainants about the same matter).
    public var isCollective: Bool
    /// Escalated to major: collective, or responsible and unresolved a month (policy) after receipt.
    public var isEscalated: Bool
    /// When a still-unresolved responsible complaint escalates (UTC ms); `nil` for other categories.
    public var escalatesAtMillis: Int64?
    /// Still open or in progress.
    public var isOpen: Bool
    /// When handling completed (`resolvedAt`, UTC ms), if recorded.
    public var resolvedMillis: Int64?
    /// Resolved by the deadline; `nil` while unresolved.
    public var resolvedOnTime: Bool?
    /// The follow-up revisit's deadline: working days after `resolvedAt`; `nil` until resolved.
    public var revisitDueMillis: Int64?
    /// When the customer was revisited (`revisitedAt`, UTC ms), if recorded.
    public var revisitedMillis: Int64?
    /// Open and past its deadline at the time asked.
    public var isOverdue: Bool
    /// Resolved, not revisited, and past the revisit deadline at the time asked.
    public var isRevisitOverdue: Bool
}

extension PolicyDocument {
    /// The steps and due instants (UTC ms) for a complaint of deadline key `key` received at
    /// `receivedMillis` on `calendar`. A step of `days` 0 is due by the end of the day received
    /// (for working-day steps: of the first working day on or after it); `days` N ≥ 1 by the end of
    /// the Nth working day (or calendar day) after the day received.
    public func complaintSteps(key: String, receivedMillis: Int64, calendar: WorkingCalendar) -> [ComplaintSchedule.Step] {
        let received = calendar.date(of: receivedMillis)
        return (complaints.deadlines[key] ?? []).map { step in
            let day = step.working ? calendar.workingDay(Int(step.days), after: received) : received.adding(days: Int(step.days))
            return ComplaintSchedule.Step(step: step.step, dueMillis: calendar.endOfDay(day))
        }
    }

    /// The schedule of a complaint record at `now` (UTC ms), or `nil` when its category or
    /// `receivedAt` is missing or unknown to the policy. Uses the calendar of the record's branch.
    public func schedule(ofComplaint complaint: Record, now: Int64) -> ComplaintSchedule? {
        guard let category = complaint.value(of: "category")?.stringValue,
            let receivedText = complaint.value(of: "receivedAt")?.stringValue, let received = Timestamps.parse(receivedText)
        else { return nil }
        let calendar = self.calendar(branch: complaint.branch)
        let complainants = complaint.value(of: "complainants")?.intValue ?? 1
        let isCollective = complainants >= complaints.collectiveComplainants
        let effective = isCollective ? "responsible-major" : category
        var key = effective
        if effective == "assist", complaint.value(of: "onSite")?.boolValue == false { key = "assist-outside" }
        let steps = complaintSteps(key: key, receivedMillis: received, calendar: calendar)
        guard let last = steps.last else { return nil }
        var due = last.dueMillis
        if effective == "responsible-general", let requested = complaint.value(of: "requestedBy")?.stringValue.flatMap(Timestamps.parse) {
            due = requested
        }
        let status = complaint.value(of: "status")?.stringValue ?? "open"
        let isOpen = Policies.openComplaintStatuses.contains(status)
        let resolved = complaint.value(of: "resolvedAt")?.stringValue.flatMap(Timestamps.parse)
        let revisited = complaint.value(of: "revisitedAt")?.stringValue.flatMap(Timestamps.parse)
        var escalatesAt: Int64?
        if category.hasPrefix("responsible-") {
            escalatesAt = calendar.startOfDay(Self.adding(months: Int(complaints.escalateAfterMonths), to: calendar.date(of: received)))
                + (received - calendar.startOfDay(calendar.date(of: received)))
        }
        let unresolvedAtEscalation = escalatesAt.map { at in (resolved.map { $0 > at } ?? (isOpen && now >= at)) } ?? false
        let revisitDue = resolved.map { calendar.endOfDay(calendar.workingDay(Int(complaints.revisitWorkingDays), after: calendar.date(of: $0))) }
        return ComplaintSchedule(
            category: category, effectiveCategory: unresolvedAtEscalation ? "responsible-major" : effective, deadlineKey: key,
            receivedMillis: received, steps: steps, dueMillis: due, isCollective: isCollective,
            isEscalated: isCollective || unresolvedAtEscalation, escalatesAtMillis: escalatesAt, isOpen: isOpen,
            resolvedMillis: resolved, resolvedOnTime: resolved.map { $0 <= due }, revisitDueMillis: revisitDue,
            revisitedMillis: revisited, isOverdue: isOpen && now >= due,
            isRevisitOverdue: revisited == nil && (revisitDue.map { now >= $0 } ?? false))
    }

    /// `date` plus `months` calendar months, the day clamped to the month's length (Jan 31 + 1 month → Feb 28/29).
    public static func adding(months: Int, to date: LocalDate) -> LocalDate {
        let (year, month, day) = date.components
        let total = year * 12 + (month - 1) + months
        let newYear = total / 12, newMonth = total % 12 + 1
        return LocalDate(year: newYear, month: newMonth, day: min(day, Timestamps.daysIn(month: newMonth, year: newYear)))!
    }
}
