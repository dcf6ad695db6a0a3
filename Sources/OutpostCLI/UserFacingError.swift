import OutpostClient
import OutpostModel
import OutpostStore

/// An error as the `outpost` command prints it: what happened and what to do, in words a field
/// user understands, and the technical detail (SQLite code and SQL, the network library's error)
/// that is shown only with `--verbose`.
///
/// ```swift
/// let shown = UserFacingError(error, situation: .init(replicaPath: "li.db"))
/// print("Error: \(shown.message)")
/// ```
struct UserFacingError: Error, CustomStringConvertible {
    /// What happened and what to do.
    var message: String
    /// The technical detail, for `--verbose` and support.
    var detail: String?

    var description: String { message }

    /// What the command was working on when it failed, so messages can name it.
    struct Situation {
        /// The replica file.
        var replicaPath: String
        /// The server the command talked to, when it talked to one.
        var serverURL: String?
        /// How long a request may wait for the server's answer.
        var timeoutSeconds: Int = Context.defaultTimeoutSeconds
        /// The command to run again after a network failure (`outpost sync`, `outpost init …`).
        var retry: String = "`outpost sync`"
        /// Local edits waiting to be sent, when known.
        var pendingChanges: Int?
        /// Where the user can check the server address (empty when they just typed it).
        var addressHint = " (`outpost status` shows it)"
        /// What a failed exchange with the server left behind, said after a network failure.
        var nothingLost = "nothing was lost"
    }

    init(message: String, detail: String? = nil) {
        self.message = message
        self.detail = detail
    }

    /// Maps any error the command can meet to its message.
    init(_ error: any Error, situation: Situation) {
        switch error {
        case let error as UserFacingError:
            self = error
        case let error as DatabaseError:
            self = Self.database(error, path: situation.replicaPath)
        case let error as ReplicaError:
            if case .corrupt(let reason) = error {
                self.init(message: Self.damaged(situation.replicaPath), detail: reason)
            } else {
                self.init(message: error.description)
            }
        case let error as SyncError:
            self = Self.sync(error, situation)
        case let error as CLIError:
            self.init(message: error.description)
        case let error as CustomStringConvertible:
            self.init(message: error.description, detail: String(reflecting: error))
        default:
            self.init(message: "The command failed unexpectedly. Run it again with --verbose for the details.",
                      detail: String(reflecting: error))
        }
    }

    // MARK: The local database

    static func damaged(_ path: String) -> String {
        "The local database \(path) is damaged. Run `outpost doctor` to check it; `outpost doctor --repair` rebuilds it "
            + "from the server, keeping every unsent edit it can still read."
    }

    static func database(_ error: DatabaseError, path: String) -> UserFacingError {
        let message: String
        switch error.resultCode {
        case .readonly, .permission:
            message = "Cannot write to the local database file \(path): check its permissions and ownership "
                + "(your user must be able to write the file and its folder)."
        case .full:
            message = "The disk is full: the local database \(path) could not be written. Free some disk space and try again "
                + "— nothing was lost."
        case .busy, .locked:
            message = "Another outpost command is using this replica (\(path)). Wait for it to finish, then try again."
        case .corrupt, .notADatabase:
            message = damaged(path)
        case .cantOpen:
            message = "Cannot open the local database file \(path): check that its folder exists and that you may read and "
                + "write there."
        case .ioError:
            message = "The local database \(path) could not be read or written (a disk error). Check the disk, then try again."
        default:
            message = "The local database \(path) reported an unexpected problem. Run the command again with --verbose for "
                + "the details, or run `outpost doctor` to check the file."
        }
        return UserFacingError(message: message, detail: error.description)
    }

    // MARK: The server

    /// Why a server could not be reached, read from the network library's explanation
    /// (`URLError` codes on Linux, curl's or Apple's sentences otherwise).
    enum NetworkFailure: Equatable {
        case timedOut, refused, unknownHost, secureConnection, offline, connectionLost, other

        init(_ reason: String) {
            let text = reason.lowercased()
            func has(_ needles: String...) -> Bool { needles.contains { text.contains($0) } }
            if has("-1001", "timed out", "timeout") {
                self = .timedOut
            } else if has("-1004", "couldn't connect", "could not connect", "connection refused", "failed to connect") {
                self = .refused
            } else if has("-1003", "-1006", "could not resolve", "couldn't resolve", "hostname could not be found", "name or service not known") {
                self = .unknownHost
            } else if has("-1200", "-1201", "-1202", "-1203", "-1204", "-1205", "-1206", "ssl", "tls", "certificate", "secure connection") {
                self = .secureConnection
            } else if has("-1009", "not connected to the internet", "network is unreachable") {
                self = .offline
            } else if has("-1005", "connection was lost", "connection reset", "empty reply") {
                self = .connectionLost
            } else {
                self = .other
            }
        }
    }

    static func sync(_ error: SyncError, _ situation: Situation) -> UserFacingError {
        let server = situation.serverURL.map { "the server at \($0)" } ?? "the server"
        var kept = " — \(situation.nothingLost)."
        if let pending = situation.pendingChanges, pending > 0 {
            kept += pending == 1 ? " 1 local edit is kept" : " \(pending) local edits are kept"
            kept += " and will be sent by the next sync."
        }
        switch error {
        case .unreachable(let reason):
            let message: String
            switch NetworkFailure(reason) {
            case .timedOut:
                message = "The server did not answer within \(situation.timeoutSeconds) s. Check the network connection and try "
                    + "\(situation.retry) again"
            case .refused:
                message = "Could not connect to \(server): nothing answers at that address. Check that the address is right"
                    + "\(situation.addressHint) and that the server is running, then try \(situation.retry) again"
            case .unknownHost:
                message = "The name of \(server) could not be found. Check the address\(situation.addressHint) and the "
                    + "network connection, then try \(situation.retry) again"
            case .secureConnection:
                message = "A secure connection to \(server) could not be set up (a certificate or TLS problem). Check that the "
                    + "address is right (https or http) and that this device's date and time are correct"
            case .offline:
                message = "This device is not connected to a network. Connect, then try \(situation.retry) again"
            case .connectionLost:
                message = "The connection to \(server) was lost. Try \(situation.retry) again"
            case .other:
                message = "Could not reach \(server). Check the network connection and try \(situation.retry) again"
            }
            return UserFacingError(message: message + kept, detail: reason)
        case .unauthorized(let reason):
            return UserFacingError(
                message: "The server refused the access token (it is unknown, revoked or was replaced by a new one). Ask an "
                    + "administrator for a new token, then run `outpost init --server URL --token NEW-TOKEN`; your local edits are kept.",
                detail: reason)
        case .rejected(let status, let body) where status >= 500 || status == 429:
            let busy = status == 429 || status == 503
            return UserFacingError(
                message: (busy ? "The server is busy (HTTP \(status)). Try again in a moment" :
                            "The server ran into a problem (HTTP \(status)). Try again later; if it keeps happening, tell your administrator")
                    + kept,
                detail: "\(body.code): \(body.message)")
        case .protocolViolation(let reason):
            return UserFacingError(
                message: "The answer of \(server) was not understood. Check that the address points to an Outpost sync server; "
                    + "if it does, this outpost may need an update" + kept,
                detail: reason)
        default:
            return UserFacingError(message: error.description)
        }
    }
}
