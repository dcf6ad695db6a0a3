import OutpostModel

extension Replica {
    /// The entity types whose changes can change the answer to a query of `Model`: the model's own
    /// type, and for customers also visits (a visit moves its customer's due time).
    static func typesAffecting<Model: RecordModel>(_ query: RecordQuery<Model>) -> Set<EntityType> {
        Model.entityType == .customer ? [.customer, .visit] : [Model.entityType]
    }

    /// Observes the answer to `query`: yields the page now, then again whenever a committed change
    /// makes it differ (see ``ReplicaObservation``).
    ///
    /// ```swift
    /// for try await page in replica.observe(Customer.query.owner("li").limit(50)) { render(page) }
    /// ```
    public func observe<Model: RecordModel>(_ query: RecordQuery<Model>) -> ReplicaObservation<[Model]> {
        observe(tracking: Self.typesAffecting(query)) { try $0.fetch(query) }
    }

    /// Observes how many records match `query`.
    ///
    /// ```swift
    /// for try await late in replica.observeCount(Complaint.query.overdue(at: Date())) { badge = late }
    /// ```
    public func observeCount<Model: RecordModel>(_ query: RecordQuery<Model>) -> ReplicaObservation<Int> {
        observe(tracking: Self.typesAffecting(query)) { try $0.count(query) }
    }
}

extension OfflineClient {
    /// Observes the answer to a typed query: yields it now, then after every local edit or sync
    /// that changes it, coalesced and quiet when nothing relevant changed.
    ///
    /// ```swift
    /// for try await page in client.observe(Customer.query.owner("li").sorted(by: .name).limit(50)) {
    ///     render(page)
    /// }
    /// ```
    public nonisolated func observe<Model: RecordModel>(_ query: RecordQuery<Model>) -> ReplicaObservation<[Model]> {
        replica.observe(query)
    }

    /// Observes how many records match a typed query.
    public nonisolated func observeCount<Model: RecordModel>(_ query: RecordQuery<Model>) -> ReplicaObservation<Int> {
        replica.observeCount(query)
    }
}
