import OutpostJSON

/// The company's policies as one versioned JSON document that HQ edits and the server hands to
/// every device at sync, so an offline device computes the same due lists, deadlines, codes and
/// reports as the server (SPEC §6.6, §9.8). Every member has a default (``PolicyDocument/default``),
/// so a document only needs the numbers it changes.
///
/// ```swift
/// let policy = try PolicyDocument(json: JSONValue.parse(#"{"cadence":{"intervalDays":{"core":14}}}"#))
/// policy.cadence.intervalDays["core"]            // 14
/// policy.cadence.intervalDays["general"]         // 90 (default)
/// ```
public struct PolicyDocument: Sendable, Hashable {
    /// The document format this build reads and writes.
    public static let format: Int64 = 1

    /// The server's version of the document: 0 for the built-in defaults, then +1 on every `policy set`.
    public var version: Int64
    /// Customer code scheme and lease size.
    public var codes: CodePolicy
    /// Contact cadence per tier.
    public var cadence: CadencePolicy
    /// Complaint deadlines and escalation.
    public var complaints: ComplaintPolicy
    /// Working-day calendars: one default and one per branch that differs.
    public var calendars: CalendarPolicy
    /// ABC ranking, tiering and the high-value threshold.
    public var tiers: TierPolicy
    /// Satisfaction thresholds.
    public var satisfaction: SatisfactionPolicy
    /// Report targets.
    public var reports: ReportPolicy

    /// Creates a document; every part defaults to the company's published numbers.
    public init(version: Int64 = 0, codes: CodePolicy = .init(), cadence: CadencePolicy = .init(), complaints: ComplaintPolicy = .init(),
                calendars: CalendarPolicy = .init(), tiers: TierPolicy = .init(), satisfaction: SatisfactionPolicy = .init(),
                reports: ReportPolicy = .init()) {
        self.version = version
        self.codes = codes
        self.cadence = cadence
        self.complaints = complaints
        self.calendars = calendars
        self.tiers = tiers
        self.satisfaction = satisfaction
        self.reports = reports
    }

    /// The built-in policies (version 0), used until a device has received the server's document.
    public static let `default` = PolicyDocument()

    /// The working calendar of `branch` (its own, or the default).
    public func calendar(branch: String) -> WorkingCalendar { calendars.branches[branch] ?? calendars.default }
}

/// Customer codes: `scheme` placeholders are `{branch}`, `{yyyy}`, `{yy}` and `{seq:N}` (the sequence, zero-padded to N digits).
public struct CodePolicy: Sendable, Hashable {
    /// The pattern, e.g. `{branch}-{yyyy}-{seq:05}`.
    public var scheme: String = "{branch}-{yyyy}-{seq:05}"
    /// How many codes a device leases at a time.
    public var blockSize: Int64 = 50
    /// Creates the defaults.
    public init(scheme: String = "{branch}-{yyyy}-{seq:05}", blockSize: Int64 = 50) {
        self.scheme = scheme
        self.blockSize = blockSize
    }
}

/// Contact cadence: how often each tier is contacted, and monthly minimums.
public struct CadencePolicy: Sendable, Hashable {
    /// Days between contacts per tier: core (key) monthly, important every 60 days, potential and general (regular) quarterly.
    public var intervalDays: [String: Int64] = ["core": 30, "important": 60, "potential": 90, "general": 90]
    /// Tiers whose active customers are key customers.
    public var keyTiers: [String] = ["core"]
    /// Effective contacts each active key customer needs every calendar month.
    public var keyContactsPerMonth: Int64 = 2
    /// Follow-up actions each prospect needs every calendar month.
    public var prospectFollowUpsPerMonth: Int64 = 1
    /// Creates the defaults.
    public init() {}
}

/// One step a complaint's handling must reach by a deadline.
public struct DeadlineStep: Sendable, Hashable {
    /// What must be done, e.g. `notify-manager`, `report-hq`, `resolve`, `identify`.
    public var step: String
    /// Days after the day received: 0 means the same day.
    public var days: Int64
    /// `true`: counted in working days of the branch calendar; `false`: calendar days.
    public var working: Bool
    /// Creates a step.
    public init(_ step: String, days: Int64, working: Bool) {
        self.step = step
        self.days = days
        self.working = working
    }
}

/// Complaint deadlines per category, escalation and the follow-up revisit.
public struct ComplaintPolicy: Sendable, Hashable {
    /// Steps per deadline key (a category, or `assist-outside` for assistance outside the site);
    /// the last step is the complaint's deadline for overdue and on-time figures.
    public var deadlines: [String: [DeadlineStep]] = [
        "responsible-major": [DeadlineStep("notify-manager", days: 0, working: false), DeadlineStep("report-hq", days: 1, working: true)],
        "responsible-general": [DeadlineStep("resolve", days: 2, working: true)],
        "not-responsible": [DeadlineStep("identify", days: 0, working: false)],
        "assist": [DeadlineStep("resolve", days: 0, working: false)],
        "assist-outside": [DeadlineStep("resolve", days: 3, working: true)],
    ]
    /// A complaint by this many complainants or more about the same matter is collective: major.
    public var collectiveComplainants: Int64 = 5
    /// A responsible complaint unresolved this many months after receipt is escalated to major.
    public var escalateAfterMonths: Int64 = 1
    /// Working days after handling completes within which the customer is revisited.
    public var revisitWorkingDays: Int64 = 2
    /// Creates the defaults.
    public init() {}
}

/// Working calendars.
public struct CalendarPolicy: Sendable, Hashable {
    /// The calendar of branches without their own.
    public var `default`: WorkingCalendar = .default
    /// Calendars by branch code.
    public var branches: [String: WorkingCalendar] = [:]
    /// Creates the defaults.
    public init(default calendar: WorkingCalendar = .default, branches: [String: WorkingCalendar] = [:]) {
        self.default = calendar
        self.branches = branches
    }
}

/// ABC ranking and tiering.
public struct TierPolicy: Sendable, Hashable {
    /// Cumulative share of a branch's annual purchase covered by class A (first ≈75%).
    public var classAShare: Double = 0.75
    /// Cumulative share covered by classes A and B together (A + next ≈20%); the rest is C.
    public var classABShare: Double = 0.95
    /// Customers buying more than this per year are high-value.
    public var highValueAnnualPurchase: Double = 50_000
    /// Currency of amounts.
    public var currency: String = "CNY"
    /// Tier proposed for each ABC class at the quarterly re-tiering.
    public var tierForClass: [String: String] = ["A": "core", "B": "important", "C": "general"]
    /// Years of cooperation that, with a margin of at least `loyaltyMargin`, lift the proposal one tier.
    public var loyaltyYears: Double = 5
    /// The margin (fraction) that, with `loyaltyYears` of cooperation, lifts the proposal one tier.
    public var loyaltyMargin: Double = 0.25
    /// Creates the defaults.
    public init() {}
}

/// One question of the satisfaction survey.
public struct SurveyQuestion: Sendable, Hashable {
    /// The key answers are stored under in a visit's `survey` (``SurveyScores/isValidKey(_:)``).
    public var key: String
    /// The question in English.
    public var english: String
    /// The question in Chinese.
    public var chinese: String
    /// Creates a question.
    public init(_ key: String, english: String, chinese: String) {
        self.key = key
        self.english = english
        self.chinese = chinese
    }
    /// The label in `language` (`zh…` for Chinese, English otherwise).
    public func label(language: String) -> String { language.hasPrefix("zh") ? chinese : english }
}

/// Satisfaction survey questions and thresholds (answers are 1–5).
public struct SatisfactionPolicy: Sendable, Hashable {
    /// The survey's questions, in the order they are asked.
    public var questions: [SurveyQuestion] = SatisfactionPolicy.defaultQuestions
    /// An average at or above this is good.
    public var good: Double = 4.0
    /// An average below this requires an improvement plan (a follow-up task).
    public var improvementBelow: Double = 3.5
    /// Creates the defaults.
    public init() {}

    /// The built-in questions: service, quality, timeliness, communication.
    public static let defaultQuestions = [
        SurveyQuestion("service", english: "Service attitude", chinese: "服务态度"),
        SurveyQuestion("quality", english: "Product and work quality", chinese: "产品与工作质量"),
        SurveyQuestion("timeliness", english: "Timeliness", chinese: "响应及时性"),
        SurveyQuestion("communication", english: "Communication", chinese: "沟通"),
    ]

    /// The question with `key`, if the policy asks it.
    public func question(_ key: String) -> SurveyQuestion? { questions.first { $0.key == key } }
}

/// Targets the monthly report compares against.
public struct ReportPolicy: Sendable, Hashable {
    /// Lowest acceptable customer retention.
    public var retentionTargetMin: Double = 0.80
    /// Retention aimed for.
    public var retentionTargetMax: Double = 0.90
    /// Complaint rate (complaining customers ÷ customers) must stay under this.
    public var complaintRateTarget: Double = 0.05
    /// Creates the defaults.
    public init() {}
}
