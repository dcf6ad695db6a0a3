import OutpostJSON

/// ABC class of a customer by annual purchase within its branch.
public enum ABCClass: String, Sendable, Hashable, CaseIterable {
    /// The customers making the first ≈75% of the branch's cumulative annual purchase.
    case a = "A"
    /// The next ≈20%.
    case b = "B"
    /// The last ≈5%.
    case c = "C"
}

/// A quarterly re-tiering proposal for one customer, which a manager accepts (the customer's
/// `tier` is set to ``proposedTier``) or rejects.
public struct TierProposal: Sendable, Hashable {
    /// The customer.
    public var customer: Record
    /// Its ABC class within its branch.
    public var abcClass: ABCClass
    /// Its tier now.
    public var currentTier: String
    /// The tier the policy proposes.
    public var proposedTier: String
    /// Annual purchase above the high-value threshold (50,000 CNY by default).
    public var isHighValue: Bool
    /// Why, in words for the manager.
    public var reasons: [String]
    /// The proposal changes the tier.
    public var changesTier: Bool { proposedTier != currentTier }
}

extension PolicyDocument {
    /// `true` when the customer's annual purchase exceeds the high-value threshold.
    public func isHighValue(_ customer: Record) -> Bool {
        (customer.value(of: "annualPurchase")?.doubleValue ?? 0) > tiers.highValueAnnualPurchase
    }

    /// ABC classes of live, non-prospect, non-lost customers, ranked by annual purchase within each
    /// branch: walking from the largest buyer down, a customer is A while the share of the branch's
    /// total bought by those ranked above it is below `classAShare`, B while below `classABShare`,
    /// else C (ties broken by code). The top customer is always A; a branch with no purchases has only C.
    public func abcClasses(_ customers: [Record]) -> [RecordID: ABCClass] {
        let ranked = customers.filter { customer in
            let status = customer.value(of: "status")?.stringValue
            return !customer.isDeleted && status != "prospect" && status != "lost"
        }
        var result: [RecordID: ABCClass] = [:]
        for (_, group) in Dictionary(grouping: ranked, by: \.branch) {
            func amount(_ r: Record) -> Double { max(0, r.value(of: "annualPurchase")?.doubleValue ?? 0) }
            let total = group.map(amount).reduce(0, +)
            let sorted = group.sorted {
                (amount($0), $1.value(of: "code")?.stringValue ?? "") > (amount($1), $0.value(of: "code")?.stringValue ?? "")
            }
            var before = 0.0
            for customer in sorted {
                let share = total > 0 ? before / total : 1
                result[customer.id] = total > 0 && amount(customer) > 0 ? (share < tiers.classAShare ? .a : share < tiers.classABShare ? .b : .c) : .c
                before += amount(customer)
            }
        }
        return result
    }

    /// The quarterly re-tiering proposals: the tier mapped from each customer's ABC class, one
    /// step lower for credit rating D, one step higher (not above core) for ≥ `loyaltyYears` of
    /// cooperation at a margin ≥ `loyaltyMargin`. `now` (UTC ms) counts the years of cooperation.
    public func tierProposals(_ customers: [Record], now: Int64) -> [TierProposal] {
        let classes = abcClasses(customers)
        let order = EntitySchema.tiers
        return customers.compactMap { customer -> TierProposal? in
            guard let abc = classes[customer.id], let current = customer.value(of: "tier")?.stringValue,
                let mapped = tiers.tierForClass[abc.rawValue], var index = order.firstIndex(of: mapped)
            else { return nil }
            var reasons = ["class \(abc.rawValue) by annual purchase in branch \(customer.branch)"]
            if customer.value(of: "creditRating")?.stringValue == "D", index < order.count - 1 {
                index += 1
                reasons.append("credit rating D: one tier lower")
            }
            let margin = customer.value(of: "margin")?.doubleValue ?? 0
            if let since = customer.value(of: "cooperationSince")?.stringValue.flatMap(Timestamps.parse),
                Double(now - since) / (365.25 * 86_400_000) >= tiers.loyaltyYears, margin >= tiers.loyaltyMargin, index > 0
            {
                index -= 1
                reasons.append("long cooperation at a good margin: one tier higher")
            }
            return TierProposal(customer: customer, abcClass: abc, currentTier: current, proposedTier: order[index],
                                isHighValue: isHighValue(customer), reasons: reasons)
        }.sorted { ($0.customer.branch, $0.customer.value(of: "code")?.stringValue ?? "") < ($1.customer.branch, $1.customer.value(of: "code")?.stringValue ?? "") }
    }
}
