import OutpostModel

/// Queries run in SQLite (``RecordQuery``): filters, order and pages on indexed columns, and counts.
///
/// ```swift
/// let first = try await client.fetch(Customer.query.owner("li").sorted(by: .name).limit(50))
/// let total = try await client.count(Customer.query.owner("li"))
/// ```
extension OfflineClient {
    /// The records matching `query`, as models, in its order.
    public func fetch<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> [Model] { try replica.fetch(query) }

    /// The number of records matching `query`'s filters.
    public func count<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> Int { try replica.count(query) }
}
