import OutpostJSON

/// A visit's plan compared with what happened (SPEC §6.3): planned and actual time, the delay, and
/// whether the visit report (needs, value delivered, problems solved, next step) was written.
///
/// ```swift
/// let comparison = VisitComparison(visit)
/// comparison.delayMinutes      // 45: it began 45 minutes after the planned time
/// ```
public struct VisitComparison: Sendable, Hashable {
    /// The visit.
    public var visit: Record
    /// Planned time (UTC ms), if planned.
    public var plannedMillis: Int64?
    /// Actual time (UTC ms), if it took place.
    public var actualMillis: Int64?
    /// Actual minus planned, in whole minutes (negative when early); `nil` unless both are known.
    public var delayMinutes: Int64? {
        guard let plannedMillis, let actualMillis else { return nil }
        return (actualMillis - plannedMillis) / 60_000
    }
    /// Planned, its time has passed at the time asked, and it has not taken place.
    public var isMissed: Bool
    /// Report fields still empty although the visit took place (`needs`, `valueDelivered`, `problemsSolved`, `nextStep`).
    public var missingReport: [String]
    /// Where the visit was checked in (`checkIn`), if recorded.
    public var checkIn: String?

    /// The report fields a completed visit should have.
    public static let reportFields = ["needs", "valueDelivered", "problemsSolved", "nextStep"]

    /// Compares a visit's plan with what happened, at `now` (UTC ms).
    public init(_ visit: Record, now: Int64) {
        self.visit = visit
        plannedMillis = visit.value(of: "plannedAt")?.stringValue.flatMap(Timestamps.parse)
        actualMillis = visit.value(of: "actualAt")?.stringValue.flatMap(Timestamps.parse)
        isMissed = actualMillis == nil && (plannedMillis.map { $0 < now } ?? false)
        let took = actualMillis != nil
        missingReport = took ? Self.reportFields.filter { field in
            guard let text = visit.value(of: field)?.stringValue else { return true }
            return text.allSatisfy(\.isWhitespace)
        } : []
        checkIn = visit.value(of: "checkIn")?.stringValue
    }
}
