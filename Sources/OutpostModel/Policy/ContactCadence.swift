import OutpostJSON

/// Where one customer stands against the contact cadence of a ``PolicyDocument``.
public struct ContactStatus: Sendable, Hashable {
    /// The customer.
    public var customer: Record
    /// Its responsible salesperson (`owner`), or `""` when unassigned.
    public var owner: String
    /// The latest contact (a visit's `actualAt`, UTC ms), if any.
    public var lastContactMillis: Int64?
    /// When the next contact is due (UTC ms): the end of the local day `interval` days after the
    /// last contact; `nil` when never contacted (due now).
    public var dueMillis: Int64?
    /// Contacts in the current local month.
    public var contactsThisMonth: Int
    /// Contacts the policy requires this month (2 for an active key customer, 1 for a prospect, else 0).
    public var requiredThisMonth: Int
    /// Never contacted, or past the due instant.
    public var isOverdue: Bool
    /// Due within the next 7 days (not yet overdue).
    public var isDueSoon: Bool
    /// The customer's average satisfaction (every answer of every visit, survey scores and overall
    /// `satisfaction` alike) in the local month of its latest answer, if any.
    public var latestSatisfaction: Double?
    /// A follow-up task: that average is below the improvement threshold and nobody has contacted
    /// the customer since the answer that brought it there (an improvement plan is required).
    public var needsImprovementPlan: Bool
    /// Fewer contacts this month than required.
    public var isShortThisMonth: Bool { contactsThisMonth < requiredThisMonth }
    /// Needs attention: overdue, due soon, short of this month's minimum, or an improvement plan to follow up.
    public var needsContact: Bool { isOverdue || isDueSoon || isShortThisMonth || needsImprovementPlan }
}

extension PolicyDocument {
    /// `true` when `customer` is an active key customer (tier in `keyTiers`, status active or unset).
    public func isKeyCustomer(_ customer: Record) -> Bool {
        guard let tier = customer.value(of: "tier")?.stringValue, cadence.keyTiers.contains(tier) else { return false }
        let status = customer.value(of: "status")?.stringValue ?? "active"
        return status == "active"
    }

    /// Contacts each customer needs in a calendar month.
    public func requiredContactsPerMonth(_ customer: Record) -> Int {
        if customer.value(of: "status")?.stringValue == "prospect" { return Int(cadence.prospectFollowUpsPerMonth) }
        return isKeyCustomer(customer) ? Int(cadence.keyContactsPerMonth) : 0
    }

    /// When a customer of `tier` last contacted at `lastContact` (UTC ms) is due again (UTC ms), on `calendar`.
    public func nextContactDue(tier: String, lastContact: Int64, calendar: WorkingCalendar = .default) -> Int64? {
        guard let days = cadence.intervalDays[tier] else { return nil }
        return calendar.endOfDay(calendar.date(of: lastContact).adding(days: Int(days)))
    }

    /// Every live customer's contact status at `now` (UTC ms), from the visits that took place
    /// (`actualAt` set), most urgent first: never contacted, then by due instant. Lost customers are left out.
    public func contactStatuses(customers: [Record], visits: [Record], now: Int64) -> [ContactStatus] {
        var contacts: [String: [Int64]] = [:]
        var ratings: [String: [(at: Int64, rating: Int64)]] = [:]
        for visit in visits where !visit.isDeleted {
            guard let customer = visit.value(of: "customer")?.stringValue,
                let actual = visit.value(of: "actualAt")?.stringValue.flatMap(Timestamps.parse), actual <= now
            else { continue }
            contacts[customer, default: []].append(actual)
            for answer in visit.satisfactionAnswers { ratings[customer, default: []].append((actual, answer.score)) }
        }
        return customers.compactMap { customer -> ContactStatus? in
            guard !customer.isDeleted, customer.value(of: "status")?.stringValue != "lost",
                let tier = customer.value(of: "tier")?.stringValue, cadence.intervalDays[tier] != nil
            else { return nil }
            let calendar = self.calendar(branch: customer.branch)
            let month = calendar.date(of: now).components
            let times = contacts[customer.id.rawValue] ?? []
            let last = times.max()
            let due = last.flatMap { nextContactDue(tier: tier, lastContact: $0, calendar: calendar) }
            let thisMonth = times.filter { let d = calendar.date(of: $0).components; return d.year == month.year && d.month == month.month }.count
            var latestSatisfaction: Double?
            var needsPlan = false
            if let answers = ratings[customer.id.rawValue], let latest = answers.max(by: { $0.at < $1.at }) {
                let period = ReportMonth(containing: calendar.date(of: latest.at))
                let inPeriod = answers.filter { period.contains(calendar.date(of: $0.at)) }
                let average = Double(inPeriod.map(\.rating).reduce(0, +)) / Double(inPeriod.count)
                latestSatisfaction = average
                needsPlan = rating(ofSatisfaction: average) == .needsImprovementPlan && !times.contains { $0 > latest.at }
            }
            return ContactStatus(
                customer: customer, owner: customer.value(of: "owner")?.stringValue ?? "", lastContactMillis: last, dueMillis: due,
                contactsThisMonth: thisMonth, requiredThisMonth: requiredContactsPerMonth(customer),
                isOverdue: due.map { now >= $0 } ?? true, isDueSoon: due.map { now < $0 && $0 - now <= 7 * 86_400_000 } ?? false,
                latestSatisfaction: latestSatisfaction, needsImprovementPlan: needsPlan)
        }.sorted { ($0.dueMillis ?? .min, $0.customer.id) < ($1.dueMillis ?? .min, $1.customer.id) }
    }

    /// The customers needing contact, grouped by salesperson (`owner`; `""` for unassigned), each list most urgent first.
    public func contactsDueBySalesperson(customers: [Record], visits: [Record], now: Int64) -> [(owner: String, due: [ContactStatus])] {
        let due = contactStatuses(customers: customers, visits: visits, now: now).filter(\.needsContact)
        return Dictionary(grouping: due, by: \.owner).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
