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
        var retry: String
        /// Local edits waiting to be sent, when known.
        var pendingChanges: Int?
        /// Where the user can check the server address (empty when they just typed it).
        var addressHint: String
        /// What a failed exchange with the server left behind, said after a network failure.
        var nothingLost: String

        init(_ l: Localizer = Localizer(.english), replicaPath: String, serverURL: String? = nil,
             timeoutSeconds: Int = Context.defaultTimeoutSeconds, pendingChanges: Int? = nil) {
            self.replicaPath = replicaPath
            self.serverURL = serverURL
            self.timeoutSeconds = timeoutSeconds
            self.pendingChanges = pendingChanges
            retry = "`outpost sync`"
            addressHint = l("error.addressHint")
            nothingLost = l("error.nothingLost")
        }
    }

    init(message: String, detail: String? = nil) {
        self.message = message
        self.detail = detail
    }

    /// Maps any error the command can meet to its message in the user's language.
    init(_ error: any Error, situation: Situation, _ l: Localizer = Localizer(.english)) {
        switch error {
        case let error as UserFacingError:
            self = error
        case let error as DatabaseError:
            self = Self.database(error, path: situation.replicaPath, l)
        case let error as ReplicaError:
            self = Self.replica(error, situation, l)
        case let error as ValidationError:
            self.init(message: Self.validation(error, l))
        case let error as SyncError:
            self = Self.sync(error, situation, l)
        case let error as CLIError:
            self.init(message: error.message(l))
        case let error as PolicyError:
            self = Self.policy(error, l)
        case let error as TimeInputError:
            switch error {
            case .unreadable(let text): self.init(message: l("error.time.unreadable", ["text": text]))
            case .noSuchDate(let text): self.init(message: l("error.time.noSuchDate", ["text": text]))
            case .skippedByClockChange(let text, let zone): self.init(message: l("error.time.skipped", ["text": text, "zone": zone]))
            }
        case let error as CustomStringConvertible:
            self.init(message: error.description, detail: String(reflecting: error))
        default:
            self.init(message: l("error.unexpected"), detail: String(reflecting: error))
        }
    }

    // MARK: The local database and its records

    static func damaged(_ path: String, _ l: Localizer) -> String {
        l("error.damaged", ["path": path])
    }

    static func database(_ error: DatabaseError, path: String, _ l: Localizer = Localizer(.english)) -> UserFacingError {
        let key: String
        switch error.resultCode {
        case .readonly, .permission: key = "error.db.readonly"
        case .full: key = "error.db.full"
        case .busy, .locked: key = "error.db.busy"
        case .corrupt, .notADatabase: key = "error.damaged"
        case .cantOpen: key = "error.db.cantOpen"
        case .ioError: key = "error.db.io"
        default: key = "error.db.other"
        }
        return UserFacingError(message: l(key, ["path": path]), detail: error.description)
    }

    static func replica(_ error: ReplicaError, _ situation: Situation, _ l: Localizer) -> UserFacingError {
        switch error {
        case .corrupt(let reason):
            return UserFacingError(message: damaged(situation.replicaPath, l), detail: reason)
        case .notFound(let id):
            return UserFacingError(message: l("error.replica.notFound", ["id": id]))
        case .invalid(let error):
            return UserFacingError(message: Self.validation(error, l))
        case .duplicateCode(let code, let existing):
            return UserFacingError(message: l("error.replica.duplicateCode", ["code": code, "id": Presentation.short(existing)]))
        case .unknownCustomer(let id):
            return UserFacingError(message: l("error.replica.unknownCustomer", ["id": id]))
        case .deleted(let id):
            return UserFacingError(message: l("error.replica.deleted", ["id": Presentation.short(id)]))
        case .notAllowed(let reason):
            return UserFacingError(message: reason.localized(l))
        case .nothingToResolve(let problem):
            return UserFacingError(message: problem.localized(l))
        case .cannotRepair(let problem):
            if case .cannotMoveAside(_, let detail) = problem {
                return UserFacingError(message: problem.localized(l), detail: detail)
            }
            return UserFacingError(message: problem.localized(l))
        case .belongsToAnotherUser(let user, let records, let pending):
            let unsent = pending > 0 ? l.count("error.replica.unsent", pending) : ""
            return UserFacingError(message: l("error.replica.anotherUser", [
                "user": user, "records": l.count("unit.record", records), "unsent": unsent,
            ]))
        }
    }

    static func validation(_ error: ValidationError, _ l: Localizer) -> String {
        let entity = error.entity
        let noun = l("entity.\(entity.rawValue)")
        switch error {
        case .unknownField(_, let field):
            let known = EntitySchema.for(entity).fields.map(\.name).joined(separator: ", ")
            return l("error.validation.unknownField", ["thing": noun, "field": field, "known": known])
        case .missingField(_, let field):
            return l("error.validation.missingField", ["thing": noun, "field": field])
        case .invalidValue(_, let field, _, let got):
            let expected = EntitySchema.for(entity).field(field).map { FieldInput.summary($0.kind, l) } ?? ""
            return l("error.validation.invalidValue", ["thing": noun, "field": field, "expected": expected, "got": got])
        case .unknownQuestion(_, let field, let question, let asked):
            return l("error.validation.unknownQuestion", ["thing": noun, "field": field, "question": question, "asked": asked.joined(separator: ", ")])
        }
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

    /// What a server refusal with the stable `code` (SPEC §13) means and what to do, in the user's
    /// language; the server's own English message is the technical detail.
    static func refusal(_ code: String, _ l: Localizer) -> String {
        Catalogue.english["refusal.\(code)"] != nil ? l("refusal.\(code)") : l("refusal.other", ["code": code])
    }

    static func sync(_ error: SyncError, _ situation: Situation, _ l: Localizer = Localizer(.english)) -> UserFacingError {
        let server = situation.serverURL.map { l("error.server.at", ["url": $0]) } ?? l("error.server.the")
        var kept = l("error.kept.head", ["what": situation.nothingLost])
        if let pending = situation.pendingChanges, pending > 0 {
            kept += l.count("error.kept.pending", pending)
        }
        let words: KeyValuePairs<String, Any> = [
            "server": server, "retry": situation.retry, "hint": situation.addressHint, "seconds": situation.timeoutSeconds,
        ]
        switch error {
        case .unreachable(let reason):
            let key: String
            switch NetworkFailure(reason) {
            case .timedOut: key = "error.net.timedOut"
            case .refused: key = "error.net.refused"
            case .unknownHost: key = "error.net.unknownHost"
            case .secureConnection: key = "error.net.tls"
            case .offline: key = "error.net.offline"
            case .connectionLost: key = "error.net.lost"
            case .other: key = "error.net.other"
            }
            return UserFacingError(message: l(key, words) + kept, detail: reason)
        case .unauthorized(let reason):
            return UserFacingError(message: l("error.sync.unauthorized"), detail: reason)
        case .rejected(let status, let body) where status >= 500 || status == 429:
            let busy = status == 429 || status == 503
            return UserFacingError(message: l(busy ? "error.sync.busy" : "error.sync.serverProblem", ["status": status]) + kept,
                                   detail: "\(body.code): \(body.message)")
        case .rejected(let status, let body):
            let details = body.details.map { "\n    - " + ($0.record.map { "\($0): " } ?? "") + $0.message }.joined()
            return UserFacingError(message: refusal(body.code, l), detail: "\(status) \(body.code): \(body.message)" + details)
        case .protocolViolation(let reason):
            return UserFacingError(message: l("error.sync.protocol", ["server": server]) + kept, detail: reason)
        case .invalidServerURL(let text):
            return UserFacingError(message: l("error.sync.invalidURL", ["text": text]))
        case .unsupportedProtocol(let versions):
            return UserFacingError(message: l("error.sync.unsupported", [
                "versions": versions.map(String.init).joined(separator: ", "), "needed": SyncProtocol.currentVersion,
            ]))
        case .notConfigured:
            return UserFacingError(message: l("error.sync.notConfigured"))
        }
    }
}
