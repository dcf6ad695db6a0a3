import CSQLite

/// An error reported by SQLite (or by this wrapper, for misuse), carrying the
/// result codes, SQLite's message and the SQL that failed.
///
/// ```swift
/// do {
///     try db.execute(sql: "INSERT INTO users(name) VALUES (?)", arguments: ["Ada"])
/// } catch let error as DatabaseError where error.resultCode == .constraint {
///     print(error)  // SQLite error 19 (constraint failed): UNIQUE constraint failed: users.name — while executing `INSERT ...`
/// }
/// ```
public struct DatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An SQLite result code (primary or extended).
    ///
    /// ```swift
    /// catch let e as DatabaseError where e.extendedResultCode == .constraintUnique { ... }
    /// ```
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The numeric SQLite code, e.g. `19` for `SQLITE_CONSTRAINT`.
        ///
        /// ```swift
        /// DatabaseError.Code.constraint.rawValue  // 19
        /// ```
        public let rawValue: Int32

        /// Wraps a numeric SQLite result code.
        ///
        /// ```swift
        /// let code = DatabaseError.Code(rawValue: SQLITE_BUSY)
        /// ```
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The primary result code (the low 8 bits), e.g. `.constraint` for `.constraintUnique`.
        ///
        /// ```swift
        /// DatabaseError.Code.constraintUnique.primaryResultCode  // .constraint
        /// ```
        public var primaryResultCode: Code { Code(rawValue: rawValue & 0xFF) }

        /// SQLite's English explanation of the code (`sqlite3_errstr`).
        ///
        /// ```swift
        /// DatabaseError.Code.constraint.description  // "constraint failed"
        /// ```
        public var description: String { String(cString: sqlite3_errstr(rawValue)) }

        /// `SQLITE_OK` (0).
        /// ```swift
        /// DatabaseError.Code.ok.rawValue  // 0
        /// ```
        public static let ok = Code(rawValue: SQLITE_OK)
        /// `SQLITE_ERROR` (1): generic error, including SQL syntax errors.
        /// ```swift
        /// catch let e as DatabaseError where e.resultCode == .error { ... }
        /// ```
        public static let error = Code(rawValue: SQLITE_ERROR)
        /// `SQLITE_INTERNAL` (2).
        /// ```swift
        /// e.resultCode == .internal
        /// ```
        public static let `internal` = Code(rawValue: SQLITE_INTERNAL)
        /// `SQLITE_PERM` (3).
        /// ```swift
        /// e.resultCode == .permission
        /// ```
        public static let permission = Code(rawValue: SQLITE_PERM)
        /// `SQLITE_ABORT` (4).
        /// ```swift
        /// e.resultCode == .abort
        /// ```
        public static let abort = Code(rawValue: SQLITE_ABORT)
        /// `SQLITE_BUSY` (5): the database file is locked by another connection.
        /// ```swift
        /// e.resultCode == .busy
        /// ```
        public static let busy = Code(rawValue: SQLITE_BUSY)
        /// `SQLITE_LOCKED` (6).
        /// ```swift
        /// e.resultCode == .locked
        /// ```
        public static let locked = Code(rawValue: SQLITE_LOCKED)
        /// `SQLITE_NOMEM` (7).
        /// ```swift
        /// e.resultCode == .noMemory
        /// ```
        public static let noMemory = Code(rawValue: SQLITE_NOMEM)
        /// `SQLITE_READONLY` (8): attempt to write a read-only database.
        /// ```swift
        /// e.resultCode == .readonly
        /// ```
        public static let readonly = Code(rawValue: SQLITE_READONLY)
        /// `SQLITE_INTERRUPT` (9).
        /// ```swift
        /// e.resultCode == .interrupt
        /// ```
        public static let interrupt = Code(rawValue: SQLITE_INTERRUPT)
        /// `SQLITE_IOERR` (10).
        /// ```swift
        /// e.resultCode == .ioError
        /// ```
        public static let ioError = Code(rawValue: SQLITE_IOERR)
        /// `SQLITE_CORRUPT` (11).
        /// ```swift
        /// e.resultCode == .corrupt
        /// ```
        public static let corrupt = Code(rawValue: SQLITE_CORRUPT)
        /// `SQLITE_FULL` (13).
        /// ```swift
        /// e.resultCode == .full
        /// ```
        public static let full = Code(rawValue: SQLITE_FULL)
        /// `SQLITE_CANTOPEN` (14).
        /// ```swift
        /// e.resultCode == .cantOpen
        /// ```
        public static let cantOpen = Code(rawValue: SQLITE_CANTOPEN)
        /// `SQLITE_SCHEMA` (17).
        /// ```swift
        /// e.resultCode == .schema
        /// ```
        public static let schema = Code(rawValue: SQLITE_SCHEMA)
        /// `SQLITE_TOOBIG` (18).
        /// ```swift
        /// e.resultCode == .tooBig
        /// ```
        public static let tooBig = Code(rawValue: SQLITE_TOOBIG)
        /// `SQLITE_CONSTRAINT` (19): UNIQUE, NOT NULL, CHECK, FOREIGN KEY… violations.
        /// ```swift
        /// catch let e as DatabaseError where e.resultCode == .constraint { ... }
        /// ```
        public static let constraint = Code(rawValue: SQLITE_CONSTRAINT)
        /// `SQLITE_MISMATCH` (20): datatype mismatch.
        /// ```swift
        /// e.resultCode == .mismatch
        /// ```
        public static let mismatch = Code(rawValue: SQLITE_MISMATCH)
        /// `SQLITE_MISUSE` (21): API misuse, also used by this wrapper (e.g. wrong argument count).
        /// ```swift
        /// e.resultCode == .misuse
        /// ```
        public static let misuse = Code(rawValue: SQLITE_MISUSE)
        /// `SQLITE_RANGE` (25): bind index out of range.
        /// ```swift
        /// e.resultCode == .range
        /// ```
        public static let range = Code(rawValue: SQLITE_RANGE)
        /// `SQLITE_NOTADB` (26).
        /// ```swift
        /// e.resultCode == .notADatabase
        /// ```
        public static let notADatabase = Code(rawValue: SQLITE_NOTADB)
        /// `SQLITE_CONSTRAINT_UNIQUE` (2067), an extended code.
        /// ```swift
        /// e.extendedResultCode == .constraintUnique
        /// ```
        public static let constraintUnique = Code(rawValue: 2067)
        /// `SQLITE_CONSTRAINT_PRIMARYKEY` (1555), an extended code.
        /// ```swift
        /// e.extendedResultCode == .constraintPrimaryKey
        /// ```
        public static let constraintPrimaryKey = Code(rawValue: 1555)
        /// `SQLITE_CONSTRAINT_NOTNULL` (1299), an extended code.
        /// ```swift
        /// e.extendedResultCode == .constraintNotNull
        /// ```
        public static let constraintNotNull = Code(rawValue: 1299)
        /// `SQLITE_CONSTRAINT_FOREIGNKEY` (787), an extended code.
        /// ```swift
        /// e.extendedResultCode == .constraintForeignKey
        /// ```
        public static let constraintForeignKey = Code(rawValue: 787)
        /// `SQLITE_CONSTRAINT_CHECK` (275), an extended code.
        /// ```swift
        /// e.extendedResultCode == .constraintCheck
        /// ```
        public static let constraintCheck = Code(rawValue: 275)

        /// Pattern-matches errors in `catch` clauses. A primary code matches any
        /// extended code of its family; an extended code matches exactly.
        ///
        /// ```swift
        /// do { try insert() } catch DatabaseError.Code.constraint { print("duplicate") }
        /// ```
        public static func ~= (pattern: Code, error: any Error) -> Bool {
            guard let error = error as? DatabaseError else { return false }
            if pattern.rawValue == pattern.primaryResultCode.rawValue {
                return error.resultCode == pattern
            }
            return error.extendedResultCode == pattern
        }
    }

    /// The primary result code, e.g. `.constraint`.
    ///
    /// ```swift
    /// catch let e as DatabaseError where e.resultCode == .constraint { ... }
    /// ```
    public let resultCode: Code

    /// The extended result code, e.g. `.constraintUnique`.
    ///
    /// ```swift
    /// catch let e as DatabaseError where e.extendedResultCode == .constraintUnique { ... }
    /// ```
    public let extendedResultCode: Code

    /// SQLite's message (`sqlite3_errmsg`), e.g. "UNIQUE constraint failed: users.name".
    ///
    /// ```swift
    /// print(error.message ?? "")
    /// ```
    public let message: String?

    /// The SQL of the statement that failed, if any.
    ///
    /// ```swift
    /// print(error.sql ?? "<no sql>")
    /// ```
    public let sql: String?

    /// Creates an error. `code` may be primary or extended.
    ///
    /// ```swift
    /// throw DatabaseError(code: .misuse, message: "unexpected state")
    /// ```
    public init(code: Code, message: String? = nil, sql: String? = nil) {
        self.extendedResultCode = code
        self.resultCode = code.primaryResultCode
        self.message = message
        self.sql = sql
    }

    /// Builds an error from a failed SQLite call on `connection`.
    init(resultCode: Int32, connection: OpaquePointer?, sql: String? = nil) {
        var message: String?
        if let connection, let cMessage = sqlite3_errmsg(connection) {
            message = String(cString: cMessage)
        }
        self.init(code: Code(rawValue: resultCode), message: message, sql: sql)
    }

    /// A readable sentence, e.g. "SQLite error 19 (constraint failed): UNIQUE
    /// constraint failed: users.name — while executing `INSERT INTO users…`".
    ///
    /// ```swift
    /// print(error.description)
    /// ```
    public var description: String {
        var text = "SQLite error \(resultCode.rawValue) (\(resultCode))"
        if let message, !message.isEmpty { text += ": \(message)" }
        if let sql { text += " — while executing `\(sql)`" }
        return text
    }
}
