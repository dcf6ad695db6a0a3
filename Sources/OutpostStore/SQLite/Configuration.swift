/// Options applied to every connection opened by a ``DatabaseQueue`` or ``DatabasePool``.
///
/// ```swift
/// var config = Configuration()
/// config.synchronous = .normal
/// config.busyTimeout = .seconds(10)
/// let queue = try DatabaseQueue(path: "/var/lib/outpost/db.sqlite", configuration: config)
/// ```
public struct Configuration: Sendable {
    /// SQLite journal modes (`PRAGMA journal_mode`).
    ///
    /// ```swift
    /// config.journalMode = .wal
    /// ```
    public enum JournalMode: String, Sendable, Hashable, CaseIterable {
        /// Rollback journal, deleted at the end of each transaction.
        /// ```swift
        /// config.journalMode = .delete
        /// ```
        case delete
        /// Rollback journal truncated at the end of each transaction.
        /// ```swift
        /// config.journalMode = .truncate
        /// ```
        case truncate
        /// Rollback journal whose header is zeroed at the end of each transaction.
        /// ```swift
        /// config.journalMode = .persist
        /// ```
        case persist
        /// Rollback journal kept in memory.
        /// ```swift
        /// config.journalMode = .memory
        /// ```
        case memory
        /// Write-ahead log: readers don't block the writer and vice versa.
        /// ```swift
        /// config.journalMode = .wal
        /// ```
        case wal
        /// No journal (unsafe).
        /// ```swift
        /// config.journalMode = .off
        /// ```
        case off
    }

    /// Durability levels (`PRAGMA synchronous`).
    ///
    /// ```swift
    /// config.synchronous = .normal  // faster, still consistent in WAL mode
    /// ```
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        /// No syncs.
        /// ```swift
        /// config.synchronous = .off
        /// ```
        case off
        /// Sync at critical moments; in WAL mode a power loss may lose the last commits.
        /// ```swift
        /// config.synchronous = .normal
        /// ```
        case normal
        /// Sync on every commit.
        /// ```swift
        /// config.synchronous = .full
        /// ```
        case full
        /// Like `.full`, plus syncing the directory after unlinking a journal.
        /// ```swift
        /// config.synchronous = .extra
        /// ```
        case extra
    }

    /// Journal mode for writable file databases. Default `.wal`. Ignored for
    /// in-memory and read-only connections; ``DatabasePool`` always uses `.wal`.
    ///
    /// ```swift
    /// config.journalMode = .delete
    /// ```
    public var journalMode: JournalMode = .wal

    /// `PRAGMA synchronous`. Default `.full`.
    ///
    /// ```swift
    /// config.synchronous = .normal
    /// ```
    public var synchronous: Synchronous = .full

    /// `PRAGMA page_size` for a database created by this connection (`nil`: SQLite's default,
    /// 4096). It cannot change once a WAL database exists. Larger pages mean fewer writes for
    /// large rows.
    ///
    /// ```swift
    /// config.pageSize = 16_384
    /// ```
    public var pageSize: Int?

    /// `PRAGMA cache_size` in KiB (`nil`: SQLite's default, about 2 MiB).
    ///
    /// ```swift
    /// config.cacheSizeKiB = 32_768
    /// ```
    public var cacheSizeKiB: Int?

    /// How long a connection waits for a lock held by another connection
    /// before failing with `.busy`. Default 5 seconds.
    ///
    /// ```swift
    /// config.busyTimeout = .milliseconds(500)
    /// ```
    public var busyTimeout: Duration = .seconds(5)

    /// `PRAGMA foreign_keys`. Default `true`.
    ///
    /// ```swift
    /// config.foreignKeysEnabled = false
    /// ```
    public var foreignKeysEnabled: Bool = true

    /// Opens connections with `SQLITE_OPEN_READONLY`. Default `false`.
    ///
    /// ```swift
    /// config.readonly = true
    /// ```
    public var readonly: Bool = false

    /// Maximum number of concurrent reader connections of a ``DatabasePool``. Default 4.
    ///
    /// ```swift
    /// config.maximumReaderCount = 8
    /// ```
    public var maximumReaderCount: Int = 4

    /// Called on every new connection after the pragmas above are applied,
    /// e.g. to set more pragmas.
    ///
    /// ```swift
    /// config.prepareDatabase = { db in try db.execute(sql: "PRAGMA cache_size = -8000") }
    /// ```
    public var prepareDatabase: (@Sendable (Database) throws -> Void)?

    /// The default configuration: WAL, synchronous FULL, 5 s busy timeout,
    /// foreign keys on, read-write.
    ///
    /// ```swift
    /// let config = Configuration()
    /// ```
    public init() {}

    var busyTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = busyTimeout.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
