/// One fetched row: column names and values, as an immutable `Sendable` value.
///
/// ```swift
/// let row = try db.fetchOne(sql: "SELECT id, name FROM users WHERE id = ?", arguments: [1])!
/// let id: Int64? = row["id"]
/// let name: String? = row[1]
/// let raw = row["name"]   // DatabaseValue?
/// ```
public struct Row: Sendable, Hashable {
    /// Column names, in result order.
    ///
    /// ```swift
    /// row.columnNames  // ["id", "name"]
    /// ```
    public let columnNames: [String]

    /// Column values, in result order.
    ///
    /// ```swift
    /// row.values  // [.integer(1), .text("Ada")]
    /// ```
    public let values: [DatabaseValue]

    /// Creates a row. `columnNames` and `values` must have the same count.
    ///
    /// ```swift
    /// let row = Row(columnNames: ["id"], values: [.integer(1)])
    /// ```
    public init(columnNames: [String], values: [DatabaseValue]) {
        precondition(columnNames.count == values.count, "Row needs one value per column")
        self.columnNames = columnNames
        self.values = values
    }

    /// The number of columns.
    ///
    /// ```swift
    /// row.count  // 2
    /// ```
    public var count: Int { values.count }

    /// The 0-based index of the column named `name` (exact match first, then
    /// ASCII case-insensitive, like SQLite), or `nil`.
    ///
    /// ```swift
    /// row.index(ofColumn: "name")  // 1
    /// ```
    public func index(ofColumn name: String) -> Int? {
        if let index = columnNames.firstIndex(of: name) { return index }
        let lowered = name.lowercased()
        return columnNames.firstIndex { $0.lowercased() == lowered }
    }

    /// The value at column `index` (0-based). Traps if out of range.
    ///
    /// ```swift
    /// let first: DatabaseValue = row[0]
    /// ```
    public subscript(_ index: Int) -> DatabaseValue {
        values[index]
    }

    /// The value of the column named `column`, or `nil` if there is no such column.
    ///
    /// ```swift
    /// let name: DatabaseValue? = row["name"]
    /// ```
    public subscript(_ column: String) -> DatabaseValue? {
        index(ofColumn: column).map { values[$0] }
    }

    /// The value at column `index` (0-based) decoded as `Value`; `nil` if
    /// `NULL` or not convertible.
    ///
    /// ```swift
    /// let id: Int64? = row[0]
    /// ```
    public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value? {
        Value.fromDatabaseValue(values[index])
    }

    /// The column named `column` decoded as `Value`; `nil` if there is no such
    /// column, or the value is `NULL` or not convertible.
    ///
    /// ```swift
    /// let name: String? = row["name"]
    /// ```
    public subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value? {
        index(ofColumn: column).flatMap { Value.fromDatabaseValue(values[$0]) }
    }
}

extension Row: CustomStringConvertible {
    /// A compact rendering for debugging, e.g. `[id:1 name:"Ada"]`.
    ///
    /// ```swift
    /// print(row)
    /// ```
    public var description: String {
        "[" + zip(columnNames, values).map { "\($0):\($1)" }.joined(separator: " ") + "]"
    }
}
