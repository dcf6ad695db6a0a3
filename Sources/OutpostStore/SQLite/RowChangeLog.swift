import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rows a connection changed in chosen rowid tables, noted by SQLite's update hook as each
/// row is inserted, updated or deleted: rowids of written rows and a count of deleted ones, per
/// table. Cheap (no SQL runs per row), unlike triggers. The hook does not see rows removed by
/// SQLite's truncate optimization (`DELETE FROM t` without `WHERE`) nor `WITHOUT ROWID` tables.
///
/// Only touched by the connection's thread (inside the queue's closures).
///
/// ```swift
/// let log = RowChangeLog(tables: ["records"])
/// try queue.writeWithoutTransaction { db in db.logRowChanges(into: log) }
/// try queue.write { db in
///     try db.execute(sql: "UPDATE records SET …")
///     print(log.written[0])   // rowids
///     log.reset()
/// }
/// ```
public final class RowChangeLog {
    /// The tables watched, in the order of ``written`` and ``deleted``.
    public let tables: [String]
    private let cNames: [[CChar]]
    /// Per table: rowids of rows inserted or updated since the last ``reset()`` (may repeat).
    public private(set) var written: [[Int64]]
    /// Per table: rows deleted since the last ``reset()``.
    public private(set) var deleted: [Int]

    /// A log watching `tables`.
    public init(tables: [String]) {
        self.tables = tables
        cNames = tables.map { Array($0.utf8CString) }
        written = Array(repeating: [], count: tables.count)
        deleted = Array(repeating: 0, count: tables.count)
    }

    /// `true` when nothing was noted since the last reset.
    public var isEmpty: Bool { written.allSatisfy(\.isEmpty) && deleted.allSatisfy { $0 == 0 } }

    /// Forgets what was noted.
    public func reset() {
        for index in tables.indices {
            written[index].removeAll(keepingCapacity: true)
            deleted[index] = 0
        }
    }

    fileprivate func note(_ operation: Int32, table: UnsafePointer<CChar>, rowid: Int64) {
        for index in cNames.indices where cNames[index].withUnsafeBufferPointer({ strcmp($0.baseAddress!, table) == 0 }) {
            if operation == SQLITE_DELETE { deleted[index] += 1 } else { written[index].append(rowid) }
            return
        }
    }
}

extension Database {
    /// Notes every row this connection inserts, updates or deletes in the log's tables (of the
    /// main database) into `log`, until the connection closes or another log replaces it.
    public func logRowChanges(into log: RowChangeLog) {
        rowChangeLog = log
        sqlite3_update_hook(sqliteConnection, { context, operation, database, table, rowid in
            guard let context, let database, let table, strcmp(database, "main") == 0 else { return }
            Unmanaged<RowChangeLog>.fromOpaque(context).takeUnretainedValue().note(operation, table: table, rowid: rowid)
        }, Unmanaged.passUnretained(log).toOpaque())
    }
}
