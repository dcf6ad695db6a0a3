import OutpostJSON

/// One satisfaction answer: a score 1–5 to one survey question, or a visit's single overall
/// `satisfaction` score (`question` is `nil`).
public struct SatisfactionAnswer: Sendable, Hashable {
    /// The survey question's key; `nil` for the visit's overall `satisfaction`.
    public var question: String?
    /// The score, 1 (poor) to 5 (excellent).
    public var score: Int64
}

extension Record {
    /// The satisfaction answers this visit holds (SPEC §6.5): one per question scored in its
    /// `survey`, in key order, plus one for its overall `satisfaction` when set. Every answer
    /// weighs the same in averages, so a visit scoring four questions counts four answers.
    public var satisfactionAnswers: [SatisfactionAnswer] {
        var answers = SurveyScores.answers(of: value(of: "survey")).sorted { $0.key < $1.key }
            .map { SatisfactionAnswer(question: $0.key, score: $0.value) }
        if let overall = value(of: "satisfaction")?.intValue { answers.append(SatisfactionAnswer(question: nil, score: overall)) }
        return answers
    }
}

/// Satisfaction averages for one period (SPEC §6.5): the answers (``Record/satisfactionAnswers``)
/// of the visits that took place in the period, averaged over all answers, per customer, per
/// branch and per question.
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
    /// Average per survey question key (overall `satisfaction` scores are in no question).
    public var byQuestion: [String: Double] = [:]
}

/// Sums and counts of answers, averaged at the end so every answer weighs the same.
struct AnswerTally: Sendable, Hashable {
    var sum: Int64 = 0
    var count = 0
    mutating func add(_ score: Int64) { sum += score; count += 1 }
    var average: Double? { count == 0 ? nil : Double(sum) / Double(count) }
}

extension PolicyDocument {
    /// The rating of an average under the satisfaction thresholds: good at or above `good`,
    /// an improvement plan below `improvementBelow`, fair between.
    public func rating(ofSatisfaction average: Double) -> SatisfactionSummary.Rating {
        average >= satisfaction.good ? .good : average < satisfaction.improvementBelow ? .needsImprovementPlan : .fair
    }

    /// Satisfaction averages over the visits (live, with `actualAt` and at least one answer) whose
    /// local day in their branch calendar falls in `month`.
    public func satisfaction(visits: [Record], month: ReportMonth) -> SatisfactionSummary {
        var all = AnswerTally(), branches: [String: AnswerTally] = [:], customers: [RecordID: AnswerTally] = [:]
        var questions: [String: AnswerTally] = [:]
        for visit in visits where !visit.isDeleted {
            let answers = visit.satisfactionAnswers
            guard !answers.isEmpty,
                let actual = visit.value(of: "actualAt")?.stringValue.flatMap(Timestamps.parse),
                month.contains(calendar(branch: visit.branch).date(of: actual)),
                let customer = visit.value(of: "customer")?.stringValue
            else { continue }
            for answer in answers {
                all.add(answer.score)
                branches[visit.branch, default: AnswerTally()].add(answer.score)
                customers[RecordID(unchecked: customer), default: AnswerTally()].add(answer.score)
                if let question = answer.question { questions[question, default: AnswerTally()].add(answer.score) }
            }
        }
        return SatisfactionSummary(answers: all.count, average: all.average, byBranch: branches.compactMapValues(\.average),
                                   byCustomer: customers.compactMapValues(\.average), byQuestion: questions.compactMapValues(\.average))
    }

    /// Checks a visit's `survey` value (from `fields`, if given) answers only questions this
    /// policy asks. Devices check this when a survey is entered; the server accepts any well-formed
    /// key, so a device holding an older policy document is never refused at sync.
    ///
    /// - Throws: ``ValidationError/unknownQuestion(entity:field:question:asked:)`` naming the first unknown question.
    public func checkSurvey(in fields: [String: JSONValue]) throws(ValidationError) {
        guard case .object(let answers)? = fields["survey"] else { return }
        for key in answers.keys.sorted() where satisfaction.question(key) == nil {
            throw .unknownQuestion(entity: .visit, field: "survey", question: key, asked: satisfaction.questions.map(\.key))
        }
    }
}
