import Foundation
import OutpostModel

/// A query over the records of one model type, run in SQLite on indexed columns: filters, an
/// order, and a page (limit and offset). A value: `Sendable` and `Hashable`, so it can name what
/// an app observes.
///
/// ```swift
/// let page = try await client.fetch(Customer.query.owner("li").tier(.core).sorted(by: .name).limit(50))
/// let count = try await client.count(Customer.query.nameContains("华联"))
/// let due = try await client.fetch(Customer.query.due(by: Date()).sorted(by: .dueTime))
/// ```
///
/// Indexed: owner, tier, status, code, customer, name prefix, due time (each with the list order).
/// A name substring (``nameContains(_:)``) reads the name keys of the type in list order until the
/// page is full, so a count of it reads them all.
public struct RecordQuery<Model: RecordModel>: Sendable, Hashable {
    /// The conditions every result meets.
    public var filters: [RecordFilter] = []
    /// The order of results.
    public var order: RecordOrder = .label
    /// `true` for descending order.
    public var descending = false
    /// At most this many results (`nil`: all).
    public var limit: Int?
    /// Results skipped before the first returned.
    public var offset = 0
    /// `true` to include deleted records.
    public var includeDeleted = false
    /// Results come after this record in the query's order (keyset paging: the next page starts
    /// after the last record of the previous one, reading no skipped rows). `nil`: from the start.
    public var after: RecordID?

    /// All live records of the type, in list order.
    public init() {}

    /// This query with one more filter.
    public func filter(_ filter: RecordFilter) -> Self {
        var query = self
        query.filters.append(filter)
        return query
    }

    /// This query in another order.
    public func sorted(by order: RecordOrder, descending: Bool = false) -> Self {
        var query = self
        query.order = order
        query.descending = descending
        return query
    }

    /// This query returning at most `limit` results.
    public func limit(_ limit: Int) -> Self {
        var query = self
        query.limit = limit
        return query
    }

    /// This query skipping the first `offset` results.
    public func offset(_ offset: Int) -> Self {
        var query = self
        query.offset = offset
        return query
    }

    /// Page `index` (from 0) of `size` results.
    public func page(_ index: Int, size: Int) -> Self { limit(size).offset(index * size) }

    /// This query starting after `record` in its order: the page following the one `record` ended
    /// (cheaper than an offset for deep pages, and stable while records are added before it).
    /// A record the replica no longer holds gives an empty page; `nil` starts from the beginning.
    ///
    /// ```swift
    /// var page = try await client.fetch(Customer.query.owner("li").limit(50))
    /// while let last = page.last {
    ///     page = try await client.fetch(Customer.query.owner("li").limit(50).after(last.id))
    /// }
    /// ```
    public func after(_ record: RecordID?) -> Self {
        var query = self
        query.after = record
        return query
    }

    /// This query including deleted records.
    public func includingDeleted(_ include: Bool = true) -> Self {
        var query = self
        query.includeDeleted = include
        return query
    }

    /// Only records in conflict.
    public func conflicted() -> Self { filter(.conflicted) }
}

/// A condition on indexed columns of the replica.
public enum RecordFilter: Sendable, Hashable {
    /// A customer's owner (user name).
    case owner(String)
    /// A customer's tier.
    case tier(String)
    /// A customer's or complaint's status.
    case status(String)
    /// A customer's code, exactly.
    case code(String)
    /// The customer a contact, visit or complaint belongs to.
    case customer(RecordID)
    /// A customer's or contact's name starts with the text, compared by search key
    /// (``MatchKeys/searchKey(_:)``: width, case, spaces and punctuation ignored).
    case namePrefix(String)
    /// A customer's or contact's name contains the text, compared by search key.
    case nameContains(String)
    /// Due at or before the instant (UTC ms): customers whose next visit is due (never visited
    /// included), open complaints past their deadline — under the stored policy document.
    case dueBy(Int64)
    /// Records holding unresolved conflicts.
    case conflicted
}

/// The order of query results; ties are broken by record id.
public enum RecordOrder: String, Sendable, Hashable, CaseIterable {
    /// List order: a customer's or contact's name, a visit's time, a complaint's reception time.
    case label
    /// A customer's code.
    case code
    /// When due under the stored policy (never-visited customers first; records not due last).
    case dueTime
    /// The latest write.
    case lastModified

    /// List order for customers and contacts.
    public static let name = RecordOrder.label
}

extension RecordModel {
    /// A query over all live records of this type, in list order.
    public static var query: RecordQuery<Self> { RecordQuery() }
}

extension RecordQuery where Model == Customer {
    /// Customers owned by `user`.
    public func owner(_ user: String) -> Self { filter(.owner(user)) }
    /// Customers of a tier.
    public func tier(_ tier: Customer.Tier) -> Self { filter(.tier(tier.rawValue)) }
    /// Customers of a status.
    public func status(_ status: Customer.Status) -> Self { filter(.status(status.rawValue)) }
    /// The customers with this code.
    public func code(_ code: String) -> Self { filter(.code(code)) }
    /// Customers due for a visit at `date` (never visited, or past their tier's interval).
    public func due(by date: Date) -> Self { filter(.dueBy(date.millis)) }
}

extension RecordQuery where Model == Complaint {
    /// Complaints of a status.
    public func status(_ status: Complaint.Status) -> Self { filter(.status(status.rawValue)) }
    /// Open complaints past their deadline at `date`.
    public func overdue(at date: Date) -> Self { filter(.dueBy(date.millis)) }
}

/// Models with a name: customers and contacts.
public protocol NamedRecordModel: RecordModel {}
extension Customer: NamedRecordModel {}
extension Contact: NamedRecordModel {}

extension RecordQuery where Model: NamedRecordModel {
    /// Names starting with `text` (width, case, spaces and punctuation ignored).
    public func namePrefix(_ text: String) -> Self { filter(.namePrefix(text)) }
    /// Names containing `text` (width, case, spaces and punctuation ignored).
    public func nameContains(_ text: String) -> Self { filter(.nameContains(text)) }
}

/// Models belonging to a customer: contacts, visits and complaints.
public protocol CustomerRecordModel: RecordModel {}
extension Contact: CustomerRecordModel {}
extension Visit: CustomerRecordModel {}
extension Complaint: CustomerRecordModel {}

extension RecordQuery where Model: CustomerRecordModel {
    /// The records of one customer.
    public func customer(_ id: RecordID) -> Self { filter(.customer(id)) }
}
