#if PostgreSQL
import CLibPQ
import Foundation
import OutpostStore

/// One libpq connection. Statements are prepared once per connection (named `s1`, `s2`, …) and run
/// with their arguments as parameters: text for everything but blobs, which go in binary.
/// Results come back in text format and are converted by column type.
///
/// Used by one thread at a time: ``PostgresServerStorage`` checks it out for one transaction.
final class PostgresConnection: @unchecked Sendable {
    // Safety: a connection is only used by the thread that checked it out of the pool.
    private let connection: OpaquePointer
    private var prepared: [String: String] = [:]

    /// Connects to `url` (a libpq connection URI or `key=value` string) and, when `schema` is
    /// given, makes it the connection's search path.
    init(url: String, schema: String?) throws {
        guard let connection = PQconnectdb(url) else { throw ServerStorageError.connectionFailed("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw ServerStorageError.connectionFailed(message)
        }
        self.connection = connection
        // Notices ("relation exists, skipping") are not errors; keep them off standard error.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        try run("SET client_min_messages TO warning")
        if let schema { try run("SET search_path TO \(Self.quoted(schema))") }
    }

    deinit { PQfinish(connection) }

    /// `name` as a quoted SQL identifier.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// `true` while the connection is usable and outside any transaction.
    var isIdle: Bool { PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE }

    /// `true` while a transaction is open and usable (not failed).
    var isInsideTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_INTRANS }

    /// Runs literal SQL without parameters (transaction control, settings); may hold several statements.
    func run(_ sql: String) throws {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs one portable statement with `arguments` and returns its result (the caller clears it).
    func query(_ portableSQL: String, _ arguments: StatementArguments) throws -> OpaquePointer {
        let name = try statementName(for: portableSQL)
        let result = try withParameters(arguments) { count, values, lengths, formats in
            if let name {
                return PQexecPrepared(connection, name, count, values, lengths, formats, 0)
            }
            return PQexecParams(connection, PostgresTranslation.translate(portableSQL), count, nil, values, lengths, formats, 0)
        }
        do {
            try check(result, sql: portableSQL)
        } catch {
            PQclear(result)
            throw error
        }
        return result!
    }

    /// The prepared statement for `sql`, preparing it on first use; `nil` for statements that are
    /// not worth keeping (table definitions and other one-off statements).
    private func statementName(for sql: String) throws -> String? {
        if let name = prepared[sql] { return name }
        let head = sql.drop { $0.isWhitespace }.prefix(6).uppercased()
        guard ["SELECT", "INSERT", "UPDATE", "DELETE"].contains(head) else { return nil }
        let name = "s\(prepared.count + 1)"
        let result = PQprepare(connection, name, PostgresTranslation.translate(sql), 0, nil)
        defer { PQclear(result) }
        try check(result, sql: sql)
        prepared[sql] = name
        return name
    }

    /// Calls `body` with libpq's parameter arrays for `arguments`.
    private func withParameters<T>(_ arguments: StatementArguments,
                                   _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> T) rethrows -> T {
        if arguments.isEmpty { return try body(0, nil, nil, nil) }
        var bytes: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for value in arguments.values {
            let start = bytes.count
            switch value {
            case .null:
                offsets.append(nil)
                lengths.append(0)
                formats.append(0)
                continue
            case .integer(let integer): bytes += Array(String(integer).utf8)
            case .real(let real): bytes += Array(String(real).utf8)
            case .text(let text): bytes += Array(text.utf8)
            case .blob(let blob): bytes += blob
            }
            offsets.append(start)
            lengths.append(Int32(bytes.count - start))
            if case .blob = value { formats.append(1) } else { formats.append(0) }
            bytes.append(0)
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0.map { base + $0 } }
            return try body(Int32(pointers.count), pointers, lengths, formats)
        }
    }

    /// Throws the server's error for a failed result.
    private func check(_ result: OpaquePointer?, sql: String) throws {
        guard let result else {
            throw ServerStorageError.connectionFailed(String(cString: PQerrorMessage(connection)))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "?????"
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ServerStorageError.statementFailed(sqlState: state, message: message, sql: sql)
        }
    }
}
#endif
