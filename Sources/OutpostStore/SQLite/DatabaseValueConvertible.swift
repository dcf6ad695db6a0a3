/// A type that can be stored in and read back from an SQLite column.
///
/// Conforming types: `Int`, `Int64`, `Double`, `String`, `Bool`, `[UInt8]`,
/// `DatabaseValue` itself, and `Optional` of any of those.
///
/// ```swift
/// struct UserID: DatabaseValueConvertible {
///     var raw: Int64
///     var databaseValue: DatabaseValue { .integer(raw) }
///     static func fromDatabaseValue(_ value: DatabaseValue) -> UserID? {
///         Int64.fromDatabaseValue(value).map(UserID.init(raw:))
///     }
/// }
/// ```
public protocol DatabaseValueConvertible: Sendable {
    /// The value to store in the database.
    ///
    /// ```swift
    /// 42.databaseValue  // .integer(42)
    /// ```
    var databaseValue: DatabaseValue { get }

    /// Decodes a database value, returning `nil` if it cannot be represented
    /// by this type (for example `NULL`, or text when an integer is expected).
    ///
    /// ```swift
    /// Int.fromDatabaseValue(.integer(42))  // 42
    /// Int.fromDatabaseValue(.null)         // nil
    /// ```
    static func fromDatabaseValue(_ value: DatabaseValue) -> Self?
}

extension DatabaseValue: DatabaseValueConvertible {
    /// Returns `self`.
    ///
    /// ```swift
    /// DatabaseValue.null.databaseValue  // .null
    /// ```
    public var databaseValue: DatabaseValue { self }

    /// Returns `value` unchanged; never fails.
    ///
    /// ```swift
    /// let raw: DatabaseValue? = row[0]
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> DatabaseValue? { value }
}

extension Int64: DatabaseValueConvertible {
    /// `.integer(self)`.
    ///
    /// ```swift
    /// Int64(7).databaseValue  // .integer(7)
    /// ```
    public var databaseValue: DatabaseValue { .integer(self) }

    /// Decodes integers, and reals that are exact integers.
    ///
    /// ```swift
    /// Int64.fromDatabaseValue(.real(2.0))  // 2
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> Int64? {
        switch value {
        case .integer(let int): return int
        case .real(let double): return Int64(exactly: double)
        default: return nil
        }
    }
}

extension Int: DatabaseValueConvertible {
    /// `.integer(Int64(self))`.
    ///
    /// ```swift
    /// 7.databaseValue  // .integer(7)
    /// ```
    public var databaseValue: DatabaseValue { .integer(Int64(self)) }

    /// Decodes integers (and exact-integer reals) that fit in `Int`.
    ///
    /// ```swift
    /// Int.fromDatabaseValue(.integer(7))  // 7
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> Int? {
        Int64.fromDatabaseValue(value).flatMap { Int(exactly: $0) }
    }
}

extension Double: DatabaseValueConvertible {
    /// `.real(self)`. SQLite stores NaN as `NULL`.
    ///
    /// ```swift
    /// 1.5.databaseValue  // .real(1.5)
    /// ```
    public var databaseValue: DatabaseValue { .real(self) }

    /// Decodes reals and integers.
    ///
    /// ```swift
    /// Double.fromDatabaseValue(.integer(2))  // 2.0
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> Double? {
        switch value {
        case .real(let double): return double
        case .integer(let int): return Double(int)
        default: return nil
        }
    }
}

extension String: DatabaseValueConvertible {
    /// `.text(self)`.
    ///
    /// ```swift
    /// "Ada".databaseValue  // .text("Ada")
    /// ```
    public var databaseValue: DatabaseValue { .text(self) }

    /// Decodes text only.
    ///
    /// ```swift
    /// String.fromDatabaseValue(.text("Ada"))  // "Ada"
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> String? {
        if case .text(let string) = value { return string }
        return nil
    }
}

extension Bool: DatabaseValueConvertible {
    /// Stored as `.integer(1)` or `.integer(0)`, as SQLite does.
    ///
    /// ```swift
    /// true.databaseValue  // .integer(1)
    /// ```
    public var databaseValue: DatabaseValue { .integer(self ? 1 : 0) }

    /// Decodes integers: zero is `false`, anything else `true`.
    ///
    /// ```swift
    /// Bool.fromDatabaseValue(.integer(0))  // false
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> Bool? {
        if case .integer(let int) = value { return int != 0 }
        return nil
    }
}

extension Array: DatabaseValueConvertible where Element == UInt8 {
    /// `.blob(self)`.
    ///
    /// ```swift
    /// [UInt8]([0, 1]).databaseValue  // .blob([0, 1])
    /// ```
    public var databaseValue: DatabaseValue { .blob(self) }

    /// Decodes blobs only.
    ///
    /// ```swift
    /// [UInt8].fromDatabaseValue(.blob([0]))  // [0]
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    /// `nil` becomes `.null`; otherwise the wrapped value's database value.
    ///
    /// ```swift
    /// let email: String? = nil
    /// email.databaseValue  // .null
    /// ```
    public var databaseValue: DatabaseValue {
        switch self {
        case .none: return .null
        case .some(let wrapped): return wrapped.databaseValue
        }
    }

    /// `.null` decodes as `.some(nil)`; other values as the wrapped type, or
    /// `nil` if they cannot be decoded.
    ///
    /// ```swift
    /// Int?.fromDatabaseValue(.null)  // Optional(nil)
    /// ```
    public static func fromDatabaseValue(_ value: DatabaseValue) -> Wrapped?? {
        if case .null = value { return .some(.none) }
        return Wrapped.fromDatabaseValue(value).map { .some($0) }
    }
}
