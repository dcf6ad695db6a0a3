import OutpostJSON

/// A calendar month, `YYYY-MM`.
public struct ReportMonth: Sendable, Hashable, CustomStringConvertible {
    /// Year.
    public var year: Int
    /// Month, 1–12.
    public var month: Int

    /// Parses `YYYY-MM`.
    /// - Throws: ``PolicyError/invalidMonth(_:)``.
    public init(_ text: String) throws(PolicyError) {
        guard let first = LocalDate(text + "-01") else { throw .invalidMonth(text) }
        (year, month) = (first.components.year, first.components.month)
    }

    /// The month containing `date`.
    public init(containing date: LocalDate) { (year, month) = (date.components.year, date.components.month) }

    /// The first day.
    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1)! }
    /// The first day of the next month.
    public var nextFirstDay: LocalDate { PolicyDocument.adding(months: 1, to: firstDay) }
    /// `true` when `date` falls in this month.
    public func contains(_ date: LocalDate) -> Bool { date >= firstDay && date < nextFirstDay }
    public var description: String { firstDay.description.prefix(7).description }
}

/// The monthly management report (SPEC §6.7): complaints, activity against plan, customers,
/// satisfaction and overdue lists, computed purely from records and a ``PolicyDocument`` so a device
/// and the server give the same figures for the same records. Months are local months of each
/// record's branch calendar.
///
/// ```swift
/// let report = MonthlyReport(month: try ReportMonth("2026-11"), policy: policy, customers: c, visits: v, complaints: k, now: now)
/// print(report.render(.markdown))
/// ```
public struct MonthlyReport: Sendable, Hashable {
    /// Complaint figures for complaints received in the month.
    public struct Complaints: Sendable, Hashable {
        /// Received in the month.
        public var received = 0
        /// Received, by recorded category (every category listed, zero included).
        public var byCategory: [String: Int] = [:]
        /// Escalated to major (collective, or unresolved a month after receipt).
        public var escalated = 0
        /// Handled (resolved or closed).
        public var handled = 0
        /// Handled with `resolvedAt` on or before the deadline.
        public var onTime = 0
        /// Handled with a known `resolvedAt` (the on-time rate's denominator).
        public var handledWithTime = 0
        /// Handled and revisited (`revisitedAt` set).
        public var revisited = 0
        /// handled ÷ received.
        public var handlingRate: Double? { ratio(handled, received) }
        /// onTime ÷ handledWithTime.
        public var onTimeRate: Double? { ratio(onTime, handledWithTime) }
        /// revisited ÷ handled.
        public var revisitRate: Double? { ratio(revisited, handled) }
    }

    /// One salesperson's activity in the month against plan.
    public struct Activity: Sendable, Hashable {
        /// Salesperson (customer `owner`; `""` when unassigned).
        public var salesperson: String
        /// Visits planned in the month (`plannedAt` in the month).
        public var planned = 0
        /// Of those, carried out (`actualAt` set).
        public var plannedDone = 0
        /// On-site visits that took place in the month.
        public var visits = 0
        /// Phone, e-mail and video contacts that took place in the month.
        public var contacts = 0
        /// Contacts the cadence policy required in the month (key customers and prospects).
        public var required = 0
        /// Of the required contacts, how many were made (capped per customer).
        public var requiredMet = 0
        /// plannedDone ÷ planned.
        public var planRate: Double? { ratio(plannedDone, planned) }
    }

    /// Customer and satisfaction figures.
    public struct Customers: Sendable, Hashable {
        /// Customers at the start of the month (not prospects, cooperating since before it, not lost before it).
        public var atStart = 0
        /// Of those, lost during the month (`lostAt` in the month).
        public var lost = 0
        /// Distinct customers with a complaint received in the month.
        public var complaining = 0
        /// (atStart − lost) ÷ atStart.
        public var retention: Double? { ratio(atStart - lost, atStart) }
        /// complaining ÷ atStart.
        public var complaintRate: Double? { ratio(complaining, atStart) }
        /// Satisfaction answers in the month: every survey question scored (1–5) plus every overall visit `satisfaction`.
        public var satisfactionAnswers = 0
        /// Their average (each answer weighs the same).
        public var satisfactionAverage: Double?
        /// Average per branch.
        public var satisfactionByBranch: [String: Double] = [:]
        /// Average per survey question key.
        public var satisfactionByQuestion: [String: Double] = [:]
        /// Customers with at least one answer in the month.
        public var satisfactionCustomers = 0
        /// Of those, customers whose average is good (at or above the policy's `good`).
        public var satisfactionGoodCustomers = 0
        /// Customers whose average in the month is below the improvement threshold (code and name), needing an improvement plan.
        public var needsImprovementPlan: [String] = []
    }

    /// The month.
    public var month: ReportMonth
    /// The policy version used.
    public var policyVersion: Int64
    /// The policy's targets.
    public var targets: ReportPolicy
    /// Satisfaction thresholds.
    public var satisfactionPolicy: SatisfactionPolicy
    /// Complaint figures.
    public var complaints = Complaints()
    /// Activity per salesperson, by name.
    public var activity: [Activity] = []
    /// Customer figures.
    public var customers = Customers()
    /// Complaints open and past their deadline at the report time (customer code, category, deadline).
    public var overdueComplaints: [[String]] = []
    /// Customers overdue for contact at the report time, per salesperson.
    public var overdueContacts: [String: Int] = [:]

    /// Computes the report for `month` over the given records (deleted ones are ignored) at `now`
    /// (UTC ms): the month's figures are as of the month's end or `now`, whichever is earlier (escalation);
    /// the overdue lists are as of `now`.
    public init(month: ReportMonth, policy: PolicyDocument, customers: [Record], visits: [Record], complaints: [Record], now: Int64) {
        self.month = month
        policyVersion = policy.version
        targets = policy.reports
        satisfactionPolicy = policy.satisfaction
        let liveCustomers = customers.filter { !$0.isDeleted }
        var byID: [String: Record] = [:]
        for customer in liveCustomers { byID[customer.id.rawValue] = customer }
        func inMonth(_ text: String?, branch: String) -> Bool {
            guard let millis = text.flatMap(Timestamps.parse) else { return false }
            return month.contains(policy.calendar(branch: branch).date(of: millis))
        }
        func code(_ id: String?) -> String { id.flatMap { byID[$0]?.value(of: "code")?.stringValue } ?? "?" }

        // Complaints.
        for category in EntitySchema.complaintCategories { self.complaints.byCategory[category] = 0 }
        var complainingCustomers = Set<String>()
        for complaint in complaints where !complaint.isDeleted {
            if let schedule = policy.schedule(ofComplaint: complaint, now: now), schedule.isOverdue {
                overdueComplaints.append([code(complaint.value(of: "customer")?.stringValue), schedule.category,
                                          policy.calendar(branch: complaint.branch).localText(schedule.dueMillis)])
            }
            // The month's figures are as of its end (or now, if earlier), so a past month's report does not change with the clock.
            let monthEnd = policy.calendar(branch: complaint.branch).startOfDay(month.nextFirstDay)
            guard inMonth(complaint.value(of: "receivedAt")?.stringValue, branch: complaint.branch),
                let schedule = policy.schedule(ofComplaint: complaint, now: min(now, monthEnd))
            else { continue }
            self.complaints.received += 1
            self.complaints.byCategory[schedule.category, default: 0] += 1
            if schedule.isEscalated { self.complaints.escalated += 1 }
            if let customer = complaint.value(of: "customer")?.stringValue { complainingCustomers.insert(customer) }
            if !schedule.isOpen {
                self.complaints.handled += 1
                if let onTime = schedule.resolvedOnTime {
                    self.complaints.handledWithTime += 1
                    if onTime { self.complaints.onTime += 1 }
                }
                if schedule.revisitedMillis != nil { self.complaints.revisited += 1 }
            }
        }
        overdueComplaints.sort { ($0[2], $0[0]) < ($1[2], $1[0]) }

        // Activity against plan.
        var activity: [String: Activity] = [:]
        var contactsByCustomer: [String: Int] = [:]
        for visit in visits where !visit.isDeleted {
            guard let customerID = visit.value(of: "customer")?.stringValue else { continue }
            let owner = byID[customerID]?.value(of: "owner")?.stringValue ?? ""
            var entry = activity[owner] ?? Activity(salesperson: owner)
            let actual = visit.value(of: "actualAt")?.stringValue
            if inMonth(visit.value(of: "plannedAt")?.stringValue, branch: visit.branch) {
                entry.planned += 1
                if actual != nil { entry.plannedDone += 1 }
            }
            if inMonth(actual, branch: visit.branch) {
                if visit.value(of: "method")?.stringValue == "onsite" { entry.visits += 1 } else { entry.contacts += 1 }
                contactsByCustomer[customerID, default: 0] += 1
            }
            activity[owner] = entry
        }
        let monthStart = month.firstDay
        for customer in liveCustomers {
            let calendar = policy.calendar(branch: customer.branch)
            let owner = customer.value(of: "owner")?.stringValue ?? ""
            let required = policy.requiredContactsPerMonth(customer)
            if required > 0 {
                var entry = activity[owner] ?? Activity(salesperson: owner)
                entry.required += required
                entry.requiredMet += min(required, contactsByCustomer[customer.id.rawValue] ?? 0)
                activity[owner] = entry
            }
            // Customers at the start and lost.
            let status = customer.value(of: "status")?.stringValue
            guard status != "prospect" else { continue }
            let since = customer.value(of: "cooperationSince")?.stringValue.flatMap(Timestamps.parse).map(calendar.date(of:))
            let lostAt = customer.value(of: "lostAt")?.stringValue.flatMap(Timestamps.parse).map(calendar.date(of:))
            if let since, since >= monthStart { continue }
            if let lostAt, lostAt < monthStart { continue }
            if status == "lost" && lostAt == nil { continue }
            self.customers.atStart += 1
            if let lostAt, month.contains(lostAt) { self.customers.lost += 1 }
        }
        self.activity = activity.values.sorted { $0.salesperson < $1.salesperson }
        self.customers.complaining = complainingCustomers.count

        // Satisfaction.
        let satisfaction = policy.satisfaction(visits: visits, month: month)
        self.customers.satisfactionAnswers = satisfaction.answers
        self.customers.satisfactionAverage = satisfaction.average
        self.customers.satisfactionByBranch = satisfaction.byBranch
        self.customers.satisfactionByQuestion = satisfaction.byQuestion
        self.customers.satisfactionCustomers = satisfaction.byCustomer.count
        self.customers.satisfactionGoodCustomers = satisfaction.byCustomer.values.filter { policy.rating(ofSatisfaction: $0) == .good }.count
        for (customer, average) in satisfaction.byCustomer where policy.rating(ofSatisfaction: average) == .needsImprovementPlan {
            self.customers.needsImprovementPlan.append("\(code(customer.rawValue)) \(byID[customer.rawValue]?.value(of: "name")?.stringValue ?? "")")
        }
        self.customers.needsImprovementPlan.sort()

        // Contacts overdue now, per salesperson.
        for status in policy.contactStatuses(customers: liveCustomers, visits: visits, now: now) where status.isOverdue {
            overdueContacts[status.owner, default: 0] += 1
        }
    }
}

func ratio(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
