import OutpostJSON

/// Satisfaction averages for one period (SPEC §6.5): survey answers are the `satisfaction` (1–5)
/// of visits that took place in the period.
public struct SatisfactionSummary: Sendable, Hashable {
    /// How an average compares with the policy's thresholds.
    public enum Rating: String, Sendable, Hashable {
        /// At or above `good` (4.0).
        case good
        /// Between the thresholds.
        case fair
        /// Below `improvementBelow` (3.5): an improvement plan is required.
        case needsImprovementPlan = "needs-improvement-plan"
    }

    /// Number of answers.
    public var answers = 0
    /// The average of every answer, `nil` without answers.
    public var average: Double?
    /// Average per branch.
    public var byBranch: [String: Double] = [:]
    /// Average per customer id.
    public var byCustomer: [RecordID: Double] = [:]
}

extension PolicyDocument {
    /// The rating of an average under the satisfaction thresholds.
    public func rating(ofSatisfaction average: Double) -> SatisfactionSummary.Rating {
        average >= satisfaction.good ? .good : average < satisfaction.improvementBelow ? .needsImprovementPlan : .fair
    }

    /// Satisfaction averages over the visits (live, with `actualAt` and `satisfaction`) whose local
    /// day in their branch calendar falls in `month`.
    public func satisfaction(visits: [Record], month: ReportMonth) -> SatisfactionSummary {
        var all: [Int64] = [], branches: [String: [Int64]] = [:], customers: [RecordID: [Int64]] = [:]
        for visit in visits where !visit.isDeleted {
            guard let rating = visit.value(of: "satisfaction")?.intValue,
                let actual = visit.value(of: "actualAt")?.stringValue.flatMap(Timestamps.parse),
                month.contains(calendar(branch: visit.branch).date(of: actual)),
                let customer = visit.value(of: "customer")?.stringValue
            else { continue }
            all.append(rating)
            branches[visit.branch, default: []].append(rating)
            customers[RecordID(unchecked: customer), default: []].append(rating)
        }
        func mean(_ values: [Int64]) -> Double { Double(values.reduce(0, +)) / Double(values.count) }
        return SatisfactionSummary(answers: all.count, average: all.isEmpty ? nil : mean(all),
                                   byBranch: branches.mapValues(mean), byCustomer: customers.mapValues(mean))
    }
}
