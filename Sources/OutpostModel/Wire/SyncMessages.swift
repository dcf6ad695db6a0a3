import OutpostJSON
/// `POST /v1/push` request body: a batch of record versions to merge atomically.
///
/// ```json
/// {"batch":"5f0c…","records":[{ envelope }, …]}
/// ```
public struct PushRequest: Sendable, Hashable {
    /// A client-chosen UUID; re-sending the same batch returns the first answer and changes nothing.
    public var batch: String
    /// The record versions (full envelopes) to merge.
    public var records: [Record]

    /// Creates a request.
    public init(batch: String, records: [Record]) {
        self.batch = batch
        self.records = records
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object(["batch": .string(batch), "records": .array(records.map(\.jsonValue))])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let batch = try reader.string("batch")
        guard RecordID.normalize(batch) != nil else {
            throw WireDecodingError(path: "$.batch", reason: "is not a UUID")
        }
        let items = try reader.array("records")
        guard items.count <= SyncProtocol.maxBatchRecords else {
            throw WireDecodingError(path: "$.records", reason: "holds \(items.count) records; at most \(SyncProtocol.maxBatchRecords) per batch")
        }
        var records: [Record] = []
        records.reserveCapacity(items.count)
        var ids = Set<RecordID>()
        for (index, item) in items.enumerated() {
            let record = try Record(json: item, path: "$.records[\(index)]")
            guard ids.insert(record.id).inserted else {
                throw WireDecodingError(path: "$.records[\(index)].id", reason: "appears twice in the batch")
            }
            records.append(record)
        }
        try reader.finish(known: ["batch", "records"])
        self.init(batch: RecordID.normalize(batch)!, records: records)
    }
}

/// The server's answer for one pushed record.
public struct PushResult: Sendable, Hashable {
    /// The record id.
    public var id: RecordID
    /// What happened.
    public var status: PushStatus
    /// The server sequence number of the stored version.
    public var seq: Int64

    /// Creates a result.
    public init(id: RecordID, status: PushStatus, seq: Int64) {
        self.id = id
        self.status = status
        self.seq = seq
    }
}

/// `POST /v1/push` response body.
public struct PushResponse: Sendable, Hashable {
    /// The batch id that was applied.
    public var batch: String
    /// One result per pushed record, in request order.
    public var results: [PushResult]

    /// Creates a response.
    public init(batch: String, results: [PushResult]) {
        self.batch = batch
        self.results = results
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object([
            "batch": .string(batch),
            "results": .array(results.map { .object(["id": .string($0.id.rawValue), "status": .string($0.status.rawValue), "seq": .int($0.seq)]) }),
        ])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let batch = try reader.string("batch")
        var results: [PushResult] = []
        for (index, item) in try reader.array("results").enumerated() {
            var itemReader = try ObjectReader(item, path: "$.results[\(index)]")
            let idText = try itemReader.string("id")
            guard let id = RecordID.normalize(idText) else {
                throw WireDecodingError(path: itemReader.path("id"), reason: "is not a UUID")
            }
            let statusText = try itemReader.string("status")
            guard let status = PushStatus(rawValue: statusText) else {
                throw WireDecodingError(path: itemReader.path("status"), reason: "'\(statusText)' is not accepted, merged or conflict")
            }
            let seq = try itemReader.int("seq")
            try itemReader.finish(known: ["id", "status", "seq"])
            results.append(PushResult(id: RecordID(unchecked: id), status: status, seq: seq))
        }
        try reader.finish(known: ["batch", "results"])
        self.init(batch: batch, results: results)
    }
}

/// `GET /v1/pull` response body: one page of changed records after a cursor.
public struct PullPage: Sendable, Hashable {
    /// Current versions of records changed after the request's cursor, in server order.
    public var records: [Record]
    /// The cursor to send next time (opaque to clients).
    public var cursor: String
    /// `true` when more changes wait: ask again with ``cursor`` at once.
    public var hasMore: Bool
    /// The envelopes' bytes as received, parallel to ``records`` when the page was decoded with
    /// ``decode(bytes:)`` (empty otherwise). Lets a replica store a new record without re-encoding it.
    public internal(set) var receivedBytes: [ArraySlice<UInt8>] = []

    /// Creates a page.
    public init(records: [Record], cursor: String, hasMore: Bool) {
        self.records = records
        self.cursor = cursor
        self.hasMore = hasMore
    }

    public static func == (lhs: PullPage, rhs: PullPage) -> Bool {
        lhs.records == rhs.records && lhs.cursor == rhs.cursor && lhs.hasMore == rhs.hasMore
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(records)
        hasher.combine(cursor)
        hasher.combine(hasMore)
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object(["records": .array(records.map(\.jsonValue)), "cursor": .string(cursor), "hasMore": .bool(hasMore)])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let items = try reader.array("records")
        var records: [Record] = []
        records.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            records.append(try Record(json: item, path: "$.records[\(index)]"))
        }
        let cursor = try reader.string("cursor")
        let hasMore = try reader.bool("hasMore")
        try reader.finish(known: ["records", "cursor", "hasMore"])
        self.init(records: records, cursor: cursor, hasMore: hasMore)
    }
}

/// `GET /v1/session` response body: who the token belongs to and what the server allows.
public struct SessionInfo: Sendable, Hashable {
    /// The user name.
    public var user: String
    /// The user's role.
    public var role: Role
    /// The user's home branch.
    public var branch: String
    /// A stable id of the server's database; a change means the server was replaced and cursors restart.
    public var serverID: String
    /// Protocol versions the server speaks.
    public var protocolVersions: [Int]
    /// The most records a push batch may hold.
    public var maxBatchRecords: Int
    /// The most records a pull page may hold.
    public var maxPageRecords: Int

    /// Creates a session description.
    public init(user: String, role: Role, branch: String, serverID: String,
                protocolVersions: [Int] = SyncProtocol.supportedVersions,
                maxBatchRecords: Int = SyncProtocol.maxBatchRecords, maxPageRecords: Int = SyncProtocol.maxPageRecords) {
        self.user = user
        self.role = role
        self.branch = branch
        self.serverID = serverID
        self.protocolVersions = protocolVersions
        self.maxBatchRecords = maxBatchRecords
        self.maxPageRecords = maxPageRecords
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object([
            "user": .string(user), "role": .string(role.rawValue), "branch": .string(branch), "serverId": .string(serverID),
            "protocolVersions": .array(protocolVersions.map { .int(Int64($0)) }),
            "maxBatchRecords": .int(Int64(maxBatchRecords)), "maxPageRecords": .int(Int64(maxPageRecords)),
        ])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let user = try reader.string("user")
        let roleText = try reader.string("role")
        guard let role = Role(rawValue: roleText) else {
            throw WireDecodingError(path: "$.role", reason: "'\(roleText)' is not a known role")
        }
        let branch = try reader.string("branch")
        let serverID = try reader.string("serverId")
        var versions: [Int] = []
        for item in try reader.array("protocolVersions") {
            guard let version = item.intValue else { throw WireDecodingError(path: "$.protocolVersions", reason: "expected integers") }
            versions.append(Int(version))
        }
        let maxBatch = try reader.int("maxBatchRecords")
        let maxPage = try reader.int("maxPageRecords")
        try reader.finish(known: ["user", "role", "branch", "serverId", "protocolVersions", "maxBatchRecords", "maxPageRecords"])
        self.init(user: user, role: role, branch: branch, serverID: serverID, protocolVersions: versions,
                  maxBatchRecords: Int(maxBatch), maxPageRecords: Int(maxPage))
    }
}

/// The body of every error response: `{"error":{"code":"…","message":"…","details":[…]}}`.
public struct ErrorBody: Sendable, Hashable, Error, CustomStringConvertible {
    /// A stable machine-readable code (see `Protocol/SPEC.md`, "Errors").
    public var code: String
    /// A sentence for the person using the client.
    public var message: String
    /// Optional specifics, e.g. which record and field was refused.
    public var details: [ErrorDetail]

    /// Creates an error body.
    public init(code: String, message: String, details: [ErrorDetail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { message }

    /// The wire form.
    public var jsonValue: JSONValue {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if !details.isEmpty {
            error["details"] = .array(details.map { detail in
                var object: [String: JSONValue] = ["message": .string(detail.message)]
                if let path = detail.path { object["path"] = .string(path) }
                if let record = detail.record { object["record"] = .string(record) }
                if let field = detail.field { object["field"] = .string(field) }
                return .object(object)
            })
        }
        return .object(["error": .object(error)])
    }

    /// Reads the wire form (leniently: unknown members are ignored so newer servers can add detail).
    public init(json: JSONValue) throws(WireDecodingError) {
        guard let error = json.objectValue?["error"]?.objectValue, let code = error["code"]?.stringValue,
            let message = error["message"]?.stringValue
        else { throw WireDecodingError(path: "$.error", reason: "expected {code, message}") }
        let details = (error["details"]?.arrayValue ?? []).compactMap { item -> ErrorDetail? in
            guard let object = item.objectValue, let message = object["message"]?.stringValue else { return nil }
            return ErrorDetail(message: message, path: object["path"]?.stringValue, record: object["record"]?.stringValue,
                               field: object["field"]?.stringValue)
        }
        self.init(code: code, message: message, details: details)
    }
}

/// One specific problem inside an error response.
public struct ErrorDetail: Sendable, Hashable {
    /// What is wrong.
    public var message: String
    /// JSON path in the request body, when known.
    public var path: String?
    /// The record id concerned, when known.
    public var record: String?
    /// The field concerned, when known.
    public var field: String?

    /// Creates a detail.
    public init(message: String, path: String? = nil, record: String? = nil, field: String? = nil) {
        self.message = message
        self.path = path
        self.record = record
        self.field = field
    }
}
