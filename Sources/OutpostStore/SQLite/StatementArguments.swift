/// Positional values bound to the `?` parameters of a statement.
///
/// Usually written as an array literal of `DatabaseValueConvertible` values:
///
/// ```swift
/// try db.execute(
///     sql: "INSERT INTO users(id, name, email) VALUES (?, ?, ?)",
///     arguments: [1, "Ada", nil])
/// ```
public struct StatementArguments: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The values, in parameter order (the first binds to parameter 1).
    ///
    /// ```swift
    /// let args: StatementArguments = [1, "a"]
    /// args.values  // [.integer(1), .text("a")]
    /// ```
    public var values: [DatabaseValue]

    /// Creates arguments from database values.
    ///
    /// ```swift
    /// let args = StatementArguments([.integer(1), .null])
    /// ```
    public init(_ values: [DatabaseValue]) {
        self.values = values
    }

    /// Creates arguments from convertible values; `nil` binds `NULL`.
    ///
    /// ```swift
    /// let row: [(any DatabaseValueConvertible)?] = [1, "Ada", nil]
    /// let args = StatementArguments(row)
    /// ```
    public init(_ values: [(any DatabaseValueConvertible)?]) {
        self.values = values.map { $0?.databaseValue ?? .null }
    }

    /// Creates arguments from an array literal; `nil` binds `NULL`.
    ///
    /// ```swift
    /// let args: StatementArguments = [42, "text", 1.5, [UInt8]([0]), nil]
    /// ```
    public init(arrayLiteral elements: (any DatabaseValueConvertible)?...) {
        self.init(elements)
    }

    /// Number of values.
    ///
    /// ```swift
    /// ([1, 2] as StatementArguments).count  // 2
    /// ```
    public var count: Int { values.count }

    /// `true` when there are no values.
    ///
    /// ```swift
    /// ([] as StatementArguments).isEmpty  // true
    /// ```
    public var isEmpty: Bool { values.isEmpty }

    /// Appends a value; `nil` appends `NULL`.
    ///
    /// ```swift
    /// var args: StatementArguments = []
    /// args.append("Ada")
    /// ```
    public mutating func append(_ value: (any DatabaseValueConvertible)?) {
        values.append(value?.databaseValue ?? .null)
    }
}
