import Testing
import OutpostJSON
@testable import OutpostModel

/// Satisfaction surveys: a visit's `survey` answers (1–5 per question of the policy document) and
/// its overall `satisfaction`, averaged per customer, branch, question and month.
@Suite("Satisfaction surveys")
struct SurveyTests {
    func customer(_ code: String, owner: String, branch: String = "SH") -> Record {
        policyRecord(.customer, branch: branch, ["code": .string(code), "name": .string("N \(code)"), "kind": "enterprise",
                                                 "tier": "general", "owner": .string(owner)])
    }

    func visit(_ customer: Record, _ actualAt: String?, survey: [String: Int64] = [:], satisfaction: Int64? = nil,
               deleted: Bool = false) -> Record {
        var fields: [String: JSONValue] = ["customer": .string(customer.id.rawValue), "method": "onsite"]
        if let actualAt { fields["actualAt"] = .string(actualAt) } else { fields["plannedAt"] = "2026-11-26T02:00:00Z" }
        if !survey.isEmpty { fields["survey"] = SurveyScores.value(survey) }
        if let satisfaction { fields["satisfaction"] = .int(satisfaction) }
        return policyRecord(.visit, branch: customer.branch, fields, deleted: deleted)
    }

    /// November 2026, branch calendars Asia/Shanghai (the default). By hand:
    /// * A (SH): survey service 5, quality 4, timeliness 4, communication 3 on 3 Nov (16 over 4 answers) and an
    ///   overall satisfaction 4 on 17 Nov (1 answer): 20 / 5 = 4.0, exactly good.
    /// * B (SH): survey service 3, quality 2, timeliness 4 plus satisfaction 3 on 10 Nov: 12 / 4 = 3.0 < 3.5, improvement plan.
    /// * C (BJ): survey service 4, communication 3 on 12 Nov: 7 / 2 = 3.5, fair (not below 3.5). Not counted: service 1 at
    ///   23:00 on 31 October in Shanghai, a deleted visit and a planned visit not yet made.
    /// * All: 39 / 11. SH: 32 / 9, BJ: 3.5. Service (5+3+4)/3 = 4.0, quality (4+2)/2 = 3.0, timeliness 4.0, communication 3.0.
    struct WorkedExample {
        var a: Record, b: Record, c: Record
        var customers: [Record] { [a, b, c] }
        var visits: [Record]
    }

    func workedExample() -> WorkedExample {
        let a = customer("A", owner: "li"), b = customer("B", owner: "wang"), c = customer("C", owner: "zhao", branch: "BJ")
        let visits = [
            visit(a, "2026-11-03T02:00:00Z", survey: ["service": 5, "quality": 4, "timeliness": 4, "communication": 3]),
            visit(a, "2026-11-17T02:00:00Z", satisfaction: 4),
            visit(b, "2026-11-10T02:00:00Z", survey: ["service": 3, "quality": 2, "timeliness": 4], satisfaction: 3),
            visit(c, "2026-11-12T02:00:00Z", survey: ["service": 4, "communication": 3]),
            visit(c, "2026-10-31T15:00:00Z", survey: ["service": 1]),
            visit(c, "2026-11-13T02:00:00Z", survey: ["service": 1], deleted: true),
            visit(c, nil, survey: ["quality": 1]),
        ]
        return WorkedExample(a: a, b: b, c: c, visits: visits)
    }

    @Test func averagesPerCustomerBranchQuestionAndMonthCountEveryAnswerOnce() throws {
        let example = workedExample()
        let policy = PolicyDocument.default
        let summary = policy.satisfaction(visits: example.visits, month: try ReportMonth("2026-11"))
        #expect(summary.answers == 11)
        #expect(summary.average == 39.0 / 11)
        #expect(summary.byCustomer == [example.a.id: 4.0, example.b.id: 3.0, example.c.id: 3.5])
        #expect(summary.byBranch == ["SH": 32.0 / 9, "BJ": 3.5])
        #expect(summary.byQuestion == ["service": 4.0, "quality": 3.0, "timeliness": 4.0, "communication": 3.0])
        #expect(policy.rating(ofSatisfaction: 4.0) == .good, "exactly 4.0 is good")
        #expect(policy.rating(ofSatisfaction: 3.5) == .fair, "exactly 3.5 needs no plan")
        #expect(policy.rating(ofSatisfaction: 3.0) == .needsImprovementPlan)
        let october = policy.satisfaction(visits: example.visits, month: try ReportMonth("2026-10"))
        #expect(october.answers == 1 && october.byCustomer == [example.c.id: 1.0], "23:00 on 31 October in Shanghai is October")
        #expect(example.visits[2].satisfactionAnswers.map(\.score) == [2, 3, 4, 3], "survey answers in key order, then the overall score")
    }

    @Test func theMonthlyReportCountsGoodCustomersAndListsImprovementPlans() throws {
        let example = workedExample()
        let report = MonthlyReport(month: try ReportMonth("2026-11"), policy: .default, customers: example.customers,
                                   visits: example.visits, complaints: [], now: ms("2026-11-20T00:00:00Z"))
        let k = report.customers
        #expect(k.satisfactionAnswers == 11 && k.satisfactionAverage == 39.0 / 11)
        #expect(k.satisfactionByQuestion == ["service": 4.0, "quality": 3.0, "timeliness": 4.0, "communication": 3.0])
        #expect(k.satisfactionCustomers == 3 && k.satisfactionGoodCustomers == 1, "A at exactly 4.0 is good; C at 3.5 is fair")
        #expect(k.needsImprovementPlan == ["B N B"])
        let table = report.render(.table)
        #expect(table.contains("  satisfaction average                    3.55    ≥ 4.00\n"))
        #expect(table.contains("  satisfaction: Service attitude          4.00\n"))
        #expect(table.contains("  satisfaction: Product and work quality  3.00\n"))
        #expect(table.contains("  customers rated good                    1 / 3   ≥ 4.00\n"))
        #expect(table.contains("Improvement plans needed (satisfaction < 3.50)\n  customer\n  B N B\n"))
        // Question labels follow the report's language.
        #expect(report.render(.markdown, labels: ["language": "zh"]).contains("| satisfaction: 服务态度 | 4.00 |  |"))
        let json = report.jsonValue.objectValue?["customers"]?.objectValue
        #expect(json?["satisfactionByQuestion"]?.objectValue?["quality"] == .double(3.0))
        #expect(json?["satisfactionGoodCustomers"] == .int(1) && json?["satisfactionCustomers"] == .int(3))
    }

    @Test func aCustomerBelowTheThresholdGetsAnImprovementPlanFollowUpTask() throws {
        let example = workedExample()
        let policy = PolicyDocument.default
        let now = ms("2026-11-20T00:00:00Z")
        var statuses = policy.contactStatuses(customers: example.customers, visits: example.visits, now: now)
        let b = try #require(statuses.first { $0.customer.id == example.b.id })
        #expect(b.latestSatisfaction == 3.0 && b.needsImprovementPlan && b.needsContact)
        let a = try #require(statuses.first { $0.customer.id == example.a.id })
        #expect(a.latestSatisfaction == 4.0 && !a.needsImprovementPlan)
        #expect(statuses.first { $0.customer.id == example.c.id }?.needsImprovementPlan == false)
        let due = policy.contactsDueBySalesperson(customers: example.customers, visits: example.visits, now: now)
        #expect(due.first { $0.owner == "wang" }?.due.map(\.customer.id) == [example.b.id], "the task is on B's salesperson's list")
        // A contact after the low answers closes the task.
        let followUp = policyRecord(.visit, ["customer": .string(example.b.id.rawValue), "method": "phone", "actualAt": "2026-11-18T02:00:00Z"])
        statuses = policy.contactStatuses(customers: [example.b], visits: example.visits + [followUp], now: now)
        #expect(statuses.first?.needsImprovementPlan == false)
    }

    @Test(arguments: [
        (JSONValue.object(["service": 0]), "service=0"),
        (.object(["service": 6]), "service=6"),
        (.object(["service": .double(4.5)]), "service=4.5"),
        (.object(["service": "5"]), "service='5'"),
        (.object(["Service": 5]), "the question key 'Service'"),
        (.object(["1st": 5]), "the question key '1st'"),
        (.object([:]), "no answers (clear the field with null instead)"),
        (.array([5]), "a array"),
        (.int(5), "5"),
    ])
    func malformedSurveysAreRefusedByTheSchema(_ value: JSONValue, _ got: String) {
        #expect(throws: ValidationError.invalidValue(entity: .visit, field: "survey", expected: EntitySchema.visit.field("survey")!.kind.summary,
                                                     got: got)) {
            try EntitySchema.visit.validate(["survey": value], requireAll: false)
        }
    }

    @Test func surveysAreBoundedAndWellFormedOnesPass() throws {
        let many = JSONValue.object(Dictionary(uniqueKeysWithValues: (0..<21).map { ("q\($0)", JSONValue.int(3)) }))
        #expect(throws: ValidationError.self) { try EntitySchema.visit.validate(["survey": many], requireAll: false) }
        try EntitySchema.visit.validate(["survey": ["service": 5, "quality": 1, "on_time-2": 3], "satisfaction": 4], requireAll: false)
        try EntitySchema.visit.validate(["survey": .null], requireAll: false)
    }

    @Test func devicesRefuseQuestionsThePolicyDoesNotAsk() throws {
        var policy = PolicyDocument.default
        try policy.checkSurvey(in: ["survey": ["service": 5, "communication": 2]])
        #expect(throws: ValidationError.unknownQuestion(entity: .visit, field: "survey", question: "price",
                                                       asked: ["service", "quality", "timeliness", "communication"])) {
            try policy.checkSurvey(in: ["survey": ["service": 5, "price": 2]])
        }
        policy.satisfaction.questions = [SurveyQuestion("price", english: "Price", chinese: "价格")]
        try policy.checkSurvey(in: ["survey": ["price": 2]])
    }

    @Test func surveyTextIsReadAndWrittenAsQuestionScorePairs() {
        #expect(SurveyScores.parse("service=5,quality=4") == .success(["service": 5, "quality": 4]))
        #expect(SurveyScores.parse(" Service = 5 ；quality：4、") == .success(["service": 5, "quality": 4]))
        #expect(SurveyScores.parse("service=five") == .failure(.notANumber(question: "service", text: "five")))
        #expect(SurveyScores.parse("service=4.5") == .failure(.notANumber(question: "service", text: "4.5")))
        #expect(SurveyScores.parse("service") == .failure(.notAPair("service")))
        #expect(SurveyScores.parse("service=5,service=4") == .failure(.repeated("service")))
        #expect(SurveyScores.text(of: ["service": 5, "quality": 4]) == "quality=4; service=5")
    }

    @Test func thePolicyDocumentListsTheQuestionsWithEnglishAndChineseLabels() throws {
        #expect(PolicyDocument.default.satisfaction.questions.map(\.key) == ["service", "quality", "timeliness", "communication"])
        let custom = try PolicyDocument(json: JSONValue.parse(#"""
            {"satisfaction": {"questions": [{"key": "delivery", "label": {"en": "Delivery", "zh": "交付"}}]}}
            """#), strict: true)
        #expect(custom.satisfaction.questions == [SurveyQuestion("delivery", english: "Delivery", chinese: "交付")])
        #expect(custom.satisfaction.question("delivery")?.label(language: "zh-Hans") == "交付")
        #expect(try PolicyDocument(json: custom.jsonValue, strict: true) == custom, "round trip")
        for bad in [#"{"questions": []}"#,
                    #"{"questions": [{"key": "Delivery", "label": {"en": "D", "zh": "交付"}}]}"#,
                    #"{"questions": [{"key": "d", "label": {"en": "D"}}]}"#,
                    #"{"questions": [{"key": "d", "label": {"en": "D", "zh": "交"}}, {"key": "d", "label": {"en": "E", "zh": "交"}}]}"#,
                    #"{"questions": [{"key": "d", "label": {"en": "", "zh": "交"}}]}"#] {
            #expect(throws: PolicyError.self, "\(bad)") {
                try PolicyDocument(json: JSONValue.parse(#"{"satisfaction": "# + bad + "}"), strict: true)
            }
        }
    }
}
