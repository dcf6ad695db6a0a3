import OutpostJSON

extension PolicyDocument {
    /// Reads a document. Missing members take their defaults. With `strict` (HQ setting a document),
    /// unknown members are refused so typos are caught; devices read leniently so a newer server
    /// can add members.
    ///
    /// - Throws: ``PolicyError`` naming the offending member.
    public init(json: JSONValue, strict: Bool = false) throws(PolicyError) {
        let root = try PolicyReader(json, path: "$", strict: strict)
        try root.allow(["format", "version", "codes", "cadence", "complaints", "calendars", "tiers", "satisfaction", "reports"])
        if let format = try root.int("format"), format > PolicyDocument.format {
            throw .invalid(path: "$.format", reason: "format \(format) is newer than this app understands (\(PolicyDocument.format)); update the app")
        }
        self.init()
        version = try root.int("version") ?? 0
        if let codes = try root.object("codes") {
            try codes.allow(["scheme", "blockSize"])
            self.codes.scheme = try codes.string("scheme") ?? self.codes.scheme
            self.codes.blockSize = try codes.int("blockSize") ?? self.codes.blockSize
        }
        if let cadence = try root.object("cadence") {
            try cadence.allow(["intervalDays", "keyTiers", "keyContactsPerMonth", "prospectFollowUpsPerMonth"])
            if let intervals = try cadence.object("intervalDays") {
                for key in intervals.keys { self.cadence.intervalDays[key] = try intervals.int(key) }
            }
            self.cadence.keyTiers = try cadence.strings("keyTiers") ?? self.cadence.keyTiers
            self.cadence.keyContactsPerMonth = try cadence.int("keyContactsPerMonth") ?? self.cadence.keyContactsPerMonth
            self.cadence.prospectFollowUpsPerMonth = try cadence.int("prospectFollowUpsPerMonth") ?? self.cadence.prospectFollowUpsPerMonth
        }
        if let complaints = try root.object("complaints") {
            try complaints.allow(["deadlines", "collectiveComplainants", "escalateAfterMonths", "revisitWorkingDays"])
            if let deadlines = try complaints.object("deadlines") {
                for key in deadlines.keys {
                    let steps = try deadlines.objects(key) ?? []
                    self.complaints.deadlines[key] = try steps.map { (step) throws(PolicyError) -> DeadlineStep in
                        try step.allow(["step", "days", "working"])
                        guard let name = try step.string("step"), let days = try step.int("days") else {
                            throw .invalid(path: step.path, reason: "a step needs \"step\" and \"days\"")
                        }
                        return DeadlineStep(name, days: days, working: try step.bool("working") ?? true)
                    }
                }
            }
            self.complaints.collectiveComplainants = try complaints.int("collectiveComplainants") ?? self.complaints.collectiveComplainants
            self.complaints.escalateAfterMonths = try complaints.int("escalateAfterMonths") ?? self.complaints.escalateAfterMonths
            self.complaints.revisitWorkingDays = try complaints.int("revisitWorkingDays") ?? self.complaints.revisitWorkingDays
        }
        if let calendars = try root.object("calendars") {
            try calendars.allow(["default", "branches"])
            if let calendar = try calendars.object("default") { self.calendars.default = try Self.calendar(calendar) }
            if let branches = try calendars.object("branches") {
                for key in branches.keys {
                    guard let calendar = try branches.object(key) else { continue }
                    self.calendars.branches[key] = try Self.calendar(calendar, base: self.calendars.default)
                }
            }
        }
        if let tiers = try root.object("tiers") {
            try tiers.allow(["classAShare", "classABShare", "highValueAnnualPurchase", "currency", "tierForClass", "loyaltyYears", "loyaltyMargin"])
            self.tiers.classAShare = try tiers.double("classAShare") ?? self.tiers.classAShare
            self.tiers.classABShare = try tiers.double("classABShare") ?? self.tiers.classABShare
            self.tiers.highValueAnnualPurchase = try tiers.double("highValueAnnualPurchase") ?? self.tiers.highValueAnnualPurchase
            self.tiers.currency = try tiers.string("currency") ?? self.tiers.currency
            self.tiers.loyaltyYears = try tiers.double("loyaltyYears") ?? self.tiers.loyaltyYears
            self.tiers.loyaltyMargin = try tiers.double("loyaltyMargin") ?? self.tiers.loyaltyMargin
            if let map = try tiers.object("tierForClass") {
                for key in map.keys { self.tiers.tierForClass[key] = try map.string(key) }
            }
        }
        if let satisfaction = try root.object("satisfaction") {
            try satisfaction.allow(["questions", "good", "improvementBelow"])
            if let questions = try satisfaction.objects("questions") {
                self.satisfaction.questions = try questions.map { (question) throws(PolicyError) -> SurveyQuestion in
                    try question.allow(["key", "label"])
                    guard let key = try question.string("key"), let label = try question.object("label"),
                        let english = try label.string("en"), let chinese = try label.string("zh")
                    else { throw .invalid(path: question.path, reason: "a question needs \"key\" and \"label\" with \"en\" and \"zh\"") }
                    return SurveyQuestion(key, english: english, chinese: chinese)
                }
            }
            self.satisfaction.good = try satisfaction.double("good") ?? self.satisfaction.good
            self.satisfaction.improvementBelow = try satisfaction.double("improvementBelow") ?? self.satisfaction.improvementBelow
        }
        if let reports = try root.object("reports") {
            try reports.allow(["retentionTargetMin", "retentionTargetMax", "complaintRateTarget"])
            self.reports.retentionTargetMin = try reports.double("retentionTargetMin") ?? self.reports.retentionTargetMin
            self.reports.retentionTargetMax = try reports.double("retentionTargetMax") ?? self.reports.retentionTargetMax
            self.reports.complaintRateTarget = try reports.double("complaintRateTarget") ?? self.reports.complaintRateTarget
        }
        try validate()
    }

    private static func calendar(_ reader: PolicyReader, base: WorkingCalendar = .default) throws(PolicyError) -> WorkingCalendar {
        try reader.allow(["timeZone", "weekend", "holidays", "workdays"])
        var calendar = base
        calendar.timeZone = try reader.string("timeZone") ?? base.timeZone
        if let weekend = try reader.ints("weekend") { calendar.weekend = Set(weekend.map(Int.init)) }
        if let holidays = try reader.dates("holidays") { calendar.holidays = holidays }
        if let workdays = try reader.dates("workdays") { calendar.workdays = workdays }
        try calendar.validate(path: reader.path)
        return calendar
    }

    /// Checks the numbers make sense together (positive intervals, shares in order, a usable code scheme, known time zones).
    public func validate() throws(PolicyError) {
        _ = try CodeScheme(codes.scheme)
        guard (1...10_000).contains(codes.blockSize) else { throw .invalid(path: "$.codes.blockSize", reason: "use 1 to 10000") }
        for (tier, days) in cadence.intervalDays where days < 1 || days > 3660 {
            throw .invalid(path: "$.cadence.intervalDays.\(tier)", reason: "use 1 to 3660 days")
        }
        guard cadence.keyContactsPerMonth >= 0, cadence.prospectFollowUpsPerMonth >= 0 else {
            throw .invalid(path: "$.cadence", reason: "monthly minimums cannot be negative")
        }
        for (key, steps) in complaints.deadlines {
            guard !steps.isEmpty else { throw .invalid(path: "$.complaints.deadlines.\(key)", reason: "give at least one step") }
            for step in steps where step.days < 0 || step.days > 366 {
                throw .invalid(path: "$.complaints.deadlines.\(key)", reason: "days must be 0 to 366")
            }
        }
        guard complaints.collectiveComplainants >= 2 else { throw .invalid(path: "$.complaints.collectiveComplainants", reason: "use 2 or more") }
        guard complaints.escalateAfterMonths >= 1, complaints.revisitWorkingDays >= 0 else {
            throw .invalid(path: "$.complaints", reason: "escalateAfterMonths must be 1 or more and revisitWorkingDays 0 or more")
        }
        guard tiers.classAShare > 0, tiers.classAShare <= tiers.classABShare, tiers.classABShare <= 1 else {
            throw .invalid(path: "$.tiers", reason: "need 0 < classAShare ≤ classABShare ≤ 1")
        }
        guard (1...SurveyScores.maxQuestions).contains(satisfaction.questions.count) else {
            throw .invalid(path: "$.satisfaction.questions", reason: "give 1 to \(SurveyScores.maxQuestions) questions")
        }
        var keys = Set<String>()
        for (index, question) in satisfaction.questions.enumerated() {
            let path = "$.satisfaction.questions[\(index)]"
            guard SurveyScores.isValidKey(question.key) else {
                throw .invalid(path: path + ".key", reason: "use 1–\(SurveyScores.maxKeyLength) lowercase letters, digits, '-' or '_', starting with a letter")
            }
            guard keys.insert(question.key).inserted else { throw .invalid(path: path + ".key", reason: "'\(question.key)' is listed twice") }
            for label in [question.english, question.chinese] where label.isEmpty || label.count > 200 {
                throw .invalid(path: path + ".label", reason: "labels need 1 to 200 characters")
            }
        }
        guard satisfaction.improvementBelow <= satisfaction.good else {
            throw .invalid(path: "$.satisfaction", reason: "improvementBelow must not exceed good")
        }
        guard reports.retentionTargetMin <= reports.retentionTargetMax else {
            throw .invalid(path: "$.reports", reason: "retentionTargetMin must not exceed retentionTargetMax")
        }
    }

    /// The document as JSON with every member written out (defaults included).
    public var jsonValue: JSONValue {
        func calendar(_ c: WorkingCalendar) -> JSONValue {
            .object([
                "timeZone": .string(c.timeZone),
                "weekend": .array(c.weekend.sorted().map { .int(Int64($0)) }),
                "holidays": .array(c.holidays.sorted().map { .string($0.description) }),
                "workdays": .array(c.workdays.sorted().map { .string($0.description) }),
            ])
        }
        return .object([
            "format": .int(PolicyDocument.format),
            "version": .int(version),
            "codes": ["scheme": .string(codes.scheme), "blockSize": .int(codes.blockSize)],
            "cadence": [
                "intervalDays": .object(cadence.intervalDays.mapValues { .int($0) }),
                "keyTiers": .array(cadence.keyTiers.map { .string($0) }),
                "keyContactsPerMonth": .int(cadence.keyContactsPerMonth),
                "prospectFollowUpsPerMonth": .int(cadence.prospectFollowUpsPerMonth),
            ],
            "complaints": [
                "deadlines": .object(complaints.deadlines.mapValues { steps in
                    .array(steps.map { ["step": .string($0.step), "days": .int($0.days), "working": .bool($0.working)] })
                }),
                "collectiveComplainants": .int(complaints.collectiveComplainants),
                "escalateAfterMonths": .int(complaints.escalateAfterMonths),
                "revisitWorkingDays": .int(complaints.revisitWorkingDays),
            ],
            "calendars": ["default": calendar(calendars.default), "branches": .object(calendars.branches.mapValues(calendar))],
            "tiers": [
                "classAShare": .double(tiers.classAShare), "classABShare": .double(tiers.classABShare),
                "highValueAnnualPurchase": .double(tiers.highValueAnnualPurchase), "currency": .string(tiers.currency),
                "tierForClass": .object(tiers.tierForClass.mapValues { .string($0) }),
                "loyaltyYears": .double(tiers.loyaltyYears), "loyaltyMargin": .double(tiers.loyaltyMargin),
            ],
            "satisfaction": [
                "questions": .array(satisfaction.questions.map { question in
                    .object(["key": .string(question.key), "label": ["en": .string(question.english), "zh": .string(question.chinese)]])
                }),
                "good": .double(satisfaction.good), "improvementBelow": .double(satisfaction.improvementBelow),
            ],
            "reports": [
                "retentionTargetMin": .double(reports.retentionTargetMin), "retentionTargetMax": .double(reports.retentionTargetMax),
                "complaintRateTarget": .double(reports.complaintRateTarget),
            ],
        ])
    }
}

/// Reads one JSON object of a policy document, tracking its path for error messages.
struct PolicyReader {
    let members: [String: JSONValue]
    let path: String
    let strict: Bool

    init(_ value: JSONValue, path: String, strict: Bool) throws(PolicyError) {
        guard let members = value.objectValue else { throw .invalid(path: path, reason: "expected an object") }
        self.members = members
        self.path = path
        self.strict = strict
    }

    var keys: [String] { members.keys.sorted() }

    func allow(_ names: Set<String>) throws(PolicyError) {
        guard strict else { return }
        if let unknown = members.keys.sorted().first(where: { !names.contains($0) }) { throw .unknownMember(path: "\(path).\(unknown)") }
    }

    private func present(_ name: String) -> JSONValue? {
        guard let value = members[name], !value.isNull else { return nil }
        return value
    }

    func object(_ name: String) throws(PolicyError) -> PolicyReader? {
        guard let value = present(name) else { return nil }
        return try PolicyReader(value, path: "\(path).\(name)", strict: strict)
    }

    func objects(_ name: String) throws(PolicyError) -> [PolicyReader]? {
        guard let value = present(name) else { return nil }
        guard let items = value.arrayValue else { throw .invalid(path: "\(path).\(name)", reason: "expected an array") }
        var result: [PolicyReader] = []
        for (index, item) in items.enumerated() { result.append(try PolicyReader(item, path: "\(path).\(name)[\(index)]", strict: strict)) }
        return result
    }

    func string(_ name: String) throws(PolicyError) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue else { throw .invalid(path: "\(path).\(name)", reason: "expected a string") }
        return text
    }

    func int(_ name: String) throws(PolicyError) -> Int64? {
        guard let value = present(name) else { return nil }
        guard case .int(let number) = value else { throw .invalid(path: "\(path).\(name)", reason: "expected a whole number") }
        return number
    }

    func double(_ name: String) throws(PolicyError) -> Double? {
        guard let value = present(name) else { return nil }
        guard let number = value.doubleValue, number.isFinite else { throw .invalid(path: "\(path).\(name)", reason: "expected a number") }
        return number
    }

    func bool(_ name: String) throws(PolicyError) -> Bool? {
        guard let value = present(name) else { return nil }
        guard let flag = value.boolValue else { throw .invalid(path: "\(path).\(name)", reason: "expected true or false") }
        return flag
    }

    func strings(_ name: String) throws(PolicyError) -> [String]? {
        guard let value = present(name) else { return nil }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            throw .invalid(path: "\(path).\(name)", reason: "expected an array of strings")
        }
        return items.compactMap(\.stringValue)
    }

    func ints(_ name: String) throws(PolicyError) -> [Int64]? {
        guard let value = present(name) else { return nil }
        guard let items = value.arrayValue, items.allSatisfy({ if case .int = $0 { return true } else { return false } }) else {
            throw .invalid(path: "\(path).\(name)", reason: "expected an array of whole numbers")
        }
        return items.compactMap(\.intValue)
    }

    func dates(_ name: String) throws(PolicyError) -> Set<LocalDate>? {
        guard let texts = try strings(name) else { return nil }
        var result = Set<LocalDate>()
        for text in texts {
            guard let date = LocalDate(text) else { throw .invalid(path: "\(path).\(name)", reason: "'\(text)' is not a date YYYY-MM-DD") }
            result.insert(date)
        }
        return result
    }
}
