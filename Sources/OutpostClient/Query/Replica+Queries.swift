import OutpostModel
import OutpostStore

/// Typed queries run in SQLite (``RecordQuery``): the filters become `WHERE` terms on the
/// indexed columns of the records table, the order and page become `ORDER BY … LIMIT … OFFSET`,
/// and only the rows of the page are read and decoded.
extension Replica {
    /// The records matching `query`, as models, in its order.
    public func fetch<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> [Model] {
        try fetchRecords(query).map { try Model($0) }
    }

    /// The records matching `query`, in its order.
    public func fetchRecords<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> [Record] {
        let sql = QuerySQL(query)
        return try queue.read { db in
            var records: [Record] = []
            try db.makeStatement(sql: "SELECT id, state FROM records" + sql.whereClause + sql.orderClause + sql.pageClause)
                .forEachRow(arguments: sql.arguments(paged: true)) { row in records.append(try Self.decode(statement: row)) }
            return records
        }
    }

    /// The number of records matching `query`'s filters (its limit and offset aside).
    public func count<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> Int {
        let sql = QuerySQL(query)
        return try queue.read { db in
            try db.fetchScalar(sql: "SELECT COUNT(*) FROM records" + sql.whereClause, arguments: sql.arguments(paged: false)) ?? 0
        }
    }

    /// How SQLite runs `query` (`EXPLAIN QUERY PLAN`), one line per step: to check which index a query uses.
    public func queryPlan<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> [String] {
        let sql = QuerySQL(query)
        return try queue.read { db in
            try db.fetchAll(sql: "EXPLAIN QUERY PLAN SELECT id, state FROM records" + sql.whereClause + sql.orderClause + sql.pageClause,
                            arguments: sql.arguments(paged: true)).map { $0[3] ?? "" }
        }
    }
}

extension RecordQuery {
    /// The `SELECT` the replica runs for this query (columns `id` and `state`) and its arguments:
    /// to run it elsewhere (e.g. to compare with the typed API) or to read it.
    public var sql: (text: String, arguments: StatementArguments) {
        let sql = QuerySQL(self)
        return ("SELECT id, state FROM records" + sql.whereClause + sql.orderClause + sql.pageClause, sql.arguments(paged: true))
    }
}

/// The SQL of a ``RecordQuery`` over the replica's records table.
struct QuerySQL {
    var whereClause: String
    var orderClause: String
    var pageClause: String
    private var filterArguments: [DatabaseValue]
    private var pageArguments: [DatabaseValue]

    init<Model: RecordModel>(_ query: RecordQuery<Model>) {
        var terms = ["type = ?"]
        var arguments: [DatabaseValue] = [.text(Model.entityType.rawValue)]
        if !query.includeDeleted { terms.append("deleted = 0") }
        for filter in query.filters {
            switch filter {
            case .owner(let user):
                terms.append("owner = ?")
                arguments.append(.text(user))
            case .tier(let tier):
                terms.append("tier = ?")
                arguments.append(.text(tier))
            case .status(let status):
                terms.append("status = ?")
                arguments.append(.text(status))
            case .code(let code):
                terms.append("code = ?")
                arguments.append(.text(code))
            case .customer(let id):
                terms.append("customer = ?")
                arguments.append(.text(id.rawValue))
            case .namePrefix(let text):
                // A range on the search key: every key starting with `key` sorts between `key` and
                // `key` + U+10FFFF (a noncharacter search keys never hold).
                let key = MatchKeys.searchKey(text)
                if key.isEmpty {
                    terms.append("name_key IS NOT NULL")
                } else {
                    terms.append("name_key >= ? AND name_key < ?")
                    arguments.append(.text(key))
                    arguments.append(.text(key + "\u{10FFFF}"))
                }
            case .nameContains(let text):
                // instr compares the text exactly: no pattern characters to escape.
                terms.append("instr(name_key, ?) > 0")
                arguments.append(.text(MatchKeys.searchKey(text)))
            case .dueBy(let millis):
                terms.append("due_time IS NOT NULL AND due_time <= ?")
                arguments.append(.integer(millis))
            case .conflicted:
                terms.append("conflicted = 1")
            }
        }
        // A code or a customer picks out a few rows: their index beats reading the type in list
        // order (which SQLite would otherwise prefer, to spare a sort). An owner's customers are
        // a small share too, already in list order in their index.
        var index = ""
        if query.filters.contains(where: { if case .code = $0 { return true } else { return false } }) {
            index = " INDEXED BY records_by_code"
        } else if query.filters.contains(where: { if case .customer = $0 { return true } else { return false } }) {
            index = " INDEXED BY records_by_customer"
        } else if !query.includeDeleted, query.filters.contains(where: { if case .owner = $0 { return true } else { return false } }) {
            index = " INDEXED BY records_by_owner"
        }
        whereClause = index + " WHERE " + terms.joined(separator: " AND ")
        filterArguments = arguments
        let direction = query.descending ? " DESC" : ""
        let columns: [String]
        switch query.order {
        case .label: columns = ["label", "id"]
        case .code: columns = ["code", "id"]
        case .dueTime: columns = ["due_time IS NULL", "due_time", "id"]
        case .lastModified: columns = ["modified", "id"]
        }
        var order = columns
        // Due first: a filter on the due time implies it is not NULL (so the due index gives the order).
        if query.order == .dueTime, query.filters.contains(where: { if case .dueBy = $0 { return true } else { return false } }) {
            order.removeFirst()
        }
        orderClause = " ORDER BY " + order.map { $0 + direction }.joined(separator: ", ")
        if let after = query.after {
            // The rows past `after` in this order: a row-value comparison the index serves as a range.
            // NULLs compare as unknown, so they compare as a value here (due times and codes only;
            // a missing due time's rows are told apart by the first term already).
            let terms = order.map { $0 == "due_time" ? "IFNULL(due_time, 0)" : $0 == "code" ? "IFNULL(code, '')" : $0 }
            let tuple = "(" + terms.joined(separator: ", ") + ")"
            whereClause += " AND \(tuple) \(query.descending ? "<" : ">") (SELECT \(terms.joined(separator: ", ")) FROM records WHERE id = ?)"
            arguments.append(.text(after.rawValue))
            filterArguments = arguments
        }
        switch (query.limit, query.offset) {
        case (nil, 0):
            pageClause = ""
            pageArguments = []
        case (let limit, let offset):
            pageClause = " LIMIT ? OFFSET ?"
            pageArguments = [.integer(Int64(limit ?? -1)), .integer(Int64(max(0, offset)))]
        }
    }

    func arguments(paged: Bool) -> StatementArguments {
        StatementArguments(paged ? filterArguments + pageArguments : filterArguments)
    }
}
