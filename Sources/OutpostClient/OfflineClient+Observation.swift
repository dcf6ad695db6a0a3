import OutpostModel

extension OfflineClient {
    /// Observes a value read from the replica (see ``ReplicaObservation``): yields it now, then
    /// again after every local edit or sync that changes it. Re-fetched only when a change touches
    /// a tracked entity type (or the outbox, with `outbox: true`), yielded only when it differs,
    /// coalesced, and fetched on the replica's database queue.
    ///
    /// ```swift
    /// let open = client.observe(tracking: [.complaint]) { replica in
    ///     try replica.records(.complaint).filter { $0.value(of: "status") == "open" }.count
    /// }
    /// for try await count in open { badge = count }
    /// ```
    public nonisolated func observe<Value: Equatable & Sendable>(
        tracking types: Set<EntityType>, outbox: Bool = false, _ fetch: @escaping @Sendable (Replica) throws -> Value
    ) -> ReplicaObservation<Value> {
        replica.observe(tracking: types, outbox: outbox, fetch)
    }

    /// Observes one record: yields it now (`nil` when absent), then after every change to it.
    ///
    /// ```swift
    /// for try await customer in client.observe(record: id) { render(customer) }
    /// ```
    public nonisolated func observe(record id: RecordID, type: EntityType) -> ReplicaObservation<Record?> {
        replica.observe(tracking: [type]) { try $0.record(id) }
    }
}
