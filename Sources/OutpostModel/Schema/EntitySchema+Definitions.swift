extension EntitySchema {
    /// Customer tiers, most valuable first.
    public static let tiers = ["core", "important", "potential", "general"]

    /// A customer file: unique code, kind, tier, owner and commercial facts.
    public static let customer = EntitySchema(type: .customer, fields: [
        FieldSchema("code", .code(maxLength: 32), required: true, "Unique customer code, e.g. C-0001"),
        FieldSchema("name", .text(maxLength: 200), required: true, "Registered name"),
        FieldSchema("kind", .oneOf(["enterprise", "individual", "channel-partner", "tenant"]), required: true, "Kind of customer"),
        FieldSchema("tier", .oneOf(tiers), required: true, "Tier; sets the contact cadence"),
        FieldSchema("industry", .text(maxLength: 100), "Industry"),
        FieldSchema("address", .text(maxLength: 500), "Postal address"),
        FieldSchema("region", .text(maxLength: 100), "Sales region within the branch"),
        FieldSchema("owner", .text(maxLength: 100), "User name of the responsible salesperson (decides who sees the customer)"),
        FieldSchema("sharedWith", .userList(maxCount: 20), "Other users who may read and write the customer"),
        FieldSchema("status", .oneOf(["prospect", "active", "dormant", "lost"]), "Relationship status"),
        FieldSchema("creditRating", .oneOf(["A", "B", "C", "D"]), "Credit rating, A best"),
        FieldSchema("annualPurchase", .decimal(0...1e13), "Annual purchase amount"),
        FieldSchema("notes", .text(maxLength: 4000), "Free notes"),
        FieldSchema("creditCode", .creditCode, "Unified social credit code (统一社会信用代码)"),
        FieldSchema("margin", .decimal(-1...1), "Gross margin as a fraction, e.g. 0.18 (tier input)"),
        FieldSchema("cooperationSince", .timestamp, "When cooperation began (years of cooperation; customers at the start of a month)"),
        FieldSchema("lostAt", .timestamp, "When the customer was lost (retention)"),
        FieldSchema("mergedInto", .reference(.customer), "On a merged duplicate: the customer it was merged into (§6.6)"),
    ])

    /// A person at a customer.
    public static let contact = EntitySchema(type: .contact, fields: [
        FieldSchema("customer", .reference(.customer), required: true, "The customer's record id"),
        FieldSchema("name", .text(maxLength: 200), required: true, "Full name"),
        FieldSchema("title", .text(maxLength: 100), "Job title"),
        FieldSchema("phones", .phoneList(maxCount: 5), "Phone numbers"),
        FieldSchema("email", .email, "E-mail address"),
        FieldSchema("decisionMaker", .boolean, "Takes purchase decisions"),
    ])

    /// Visit methods.
    public static let visitMethods = ["onsite", "phone", "email", "video"]

    /// A planned or completed visit.
    public static let visit = EntitySchema(type: .visit, fields: [
        FieldSchema("customer", .reference(.customer), required: true, "The customer's record id"),
        FieldSchema("plannedAt", .timestamp, "Planned time"),
        FieldSchema("actualAt", .timestamp, "Actual time (set when the visit took place)"),
        FieldSchema("method", .oneOf(visitMethods), required: true, "How the visit is made"),
        FieldSchema("purpose", .text(maxLength: 500), "Purpose"),
        FieldSchema("summary", .text(maxLength: 4000), "What happened"),
        FieldSchema("outcome", .text(maxLength: 1000), "Outcome"),
        FieldSchema("nextStep", .text(maxLength: 1000), "Agreed next step"),
        FieldSchema("satisfaction", .integer(1...5), "Customer satisfaction, 1 (poor) to 5 (excellent)"),
        FieldSchema("materials", .text(maxLength: 1000), "Materials to bring (plan)"),
        FieldSchema("needs", .text(maxLength: 2000), "Customer needs heard (report)"),
        FieldSchema("valueDelivered", .text(maxLength: 2000), "Value delivered (report)"),
        FieldSchema("problemsSolved", .text(maxLength: 2000), "Problems solved (report)"),
        FieldSchema("checkIn", .text(maxLength: 100), "Optional check-in location, e.g. 31.2304,121.4737"),
        FieldSchema("survey", .scores(SurveyScores.range, maxQuestions: SurveyScores.maxQuestions),
                    "Satisfaction survey: score 1 (poor) to 5 (excellent) per question of the policy document"),
    ])

    /// Complaint categories, by company responsibility.
    public static let complaintCategories = ["responsible-major", "responsible-general", "not-responsible", "assist"]

    /// A complaint received from a customer.
    public static let complaint = EntitySchema(type: .complaint, fields: [
        FieldSchema("customer", .reference(.customer), required: true, "The customer's record id"),
        FieldSchema("receivedAt", .timestamp, required: true, "When the complaint was received"),
        FieldSchema("channel", .oneOf(["phone", "email", "onsite", "letter", "web", "other"]), required: true, "How it arrived"),
        FieldSchema("complainant", .text(maxLength: 200), "Who complained"),
        FieldSchema("content", .text(maxLength: 4000), required: true, "What the complaint says"),
        FieldSchema("category", .oneOf(complaintCategories), required: true, "Responsibility category; sets the deadline"),
        FieldSchema("status", .oneOf(["open", "in-progress", "resolved", "closed"]), required: true, "Handling status"),
        FieldSchema("resolution", .text(maxLength: 4000), "How it was resolved"),
        FieldSchema("complainants", .integer(1...100_000), "How many people complain about the same matter (5 or more: collective, major)"),
        FieldSchema("onSite", .boolean, "For assist: the matter is inside the site (same day) or outside (3 working days)"),
        FieldSchema("requestedBy", .timestamp, "Date the customer asked for a general complaint to be handled by"),
        FieldSchema("resolvedAt", .timestamp, "When handling was completed (on-time rate)"),
        FieldSchema("revisitedAt", .timestamp, "When the customer was revisited after handling (revisit rate)"),
    ])
}
