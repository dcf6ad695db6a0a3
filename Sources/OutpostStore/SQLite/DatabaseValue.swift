/// A value stored in an SQLite column, or bound to a statement parameter.
///
/// The five cases mirror SQLite's storage classes exactly.
///
/// ```swift
/// let value: DatabaseValue = .text("Ada")
/// if case .text(let name) = value { print(name) }
/// ```
public enum DatabaseValue: Sendable, Hashable {
    /// SQL `NULL`.
    ///
    /// ```swift
    /// try db.execute(sql: "UPDATE users SET email = ?", arguments: [DatabaseValue.null])
    /// ```
    case null
    /// A 64-bit signed integer (`SQLITE_INTEGER`).
    ///
    /// ```swift
    /// let value: DatabaseValue = .integer(42)
    /// ```
    case integer(Int64)
    /// A double-precision float (`SQLITE_FLOAT`). Note that SQLite stores NaN as `NULL`.
    ///
    /// ```swift
    /// let value: DatabaseValue = .real(3.5)
    /// ```
    case real(Double)
    /// UTF-8 text (`SQLITE_TEXT`).
    ///
    /// ```swift
    /// let value: DatabaseValue = .text("héllo 👋")
    /// ```
    case text(String)
    /// Raw bytes (`SQLITE_BLOB`). May contain zero bytes.
    ///
    /// ```swift
    /// let value: DatabaseValue = .blob([0x00, 0xFF])
    /// ```
    case blob([UInt8])

    /// `true` when the value is `.null`.
    ///
    /// ```swift
    /// if row["deleted_at"]?.isNull ?? true { ... }
    /// ```
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension DatabaseValue: CustomStringConvertible {
    /// A SQL-literal-like rendering, for debugging.
    ///
    /// ```swift
    /// print(DatabaseValue.text("a"))  // "a"
    /// ```
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return "\"\(value)\""
        case .blob(let bytes): return "<\(bytes.count) bytes>"
        }
    }
}
