import OutpostJSON
/// A push batch id: a client-chosen UUID, compared case-insensitively and sent lowercase (SPEC §2.2, §10.4).
public struct BatchID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The lowercase UUID text.
    public let rawValue: String

    /// Parses a UUID in text form (any case); `nil` when it is not a UUID.
    public init?(_ text: String) {
        guard let normalized = RecordID.normalize(text) else { return nil }
        rawValue = normalized
    }

    /// Wraps a value already known to be a lowercase UUID.
    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// A fresh random batch id.
    public static func random() -> BatchID { BatchID(unchecked: RecordID.random().rawValue) }

    public static func < (lhs: BatchID, rhs: BatchID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// `POST /v1/push` request body: a batch of record versions to merge atomically (SPEC §9.2).
///
/// ```json
/// {"batch":"5f0c…","node":"7f3a9c2e1b4d6a80","after":"1d2e…","records":[{ envelope }, …]}
/// ```
public struct PushRequest: Sendable, Hashable {
    /// A client-chosen UUID; re-sending the same batch returns the first answer and changes nothing.
    public var batch: BatchID
    /// The pushing replica's own node id: new writes in the batch must be this node's (SPEC §10.5).
    public var node: NodeID
    /// The batch id of this node's last acknowledged push, `nil` for its first. The server refuses a
    /// push whose `after` is not the node's last batch (409 `node_reused`): another copy of the
    /// replica (or an old backup of it) has pushed under the same node id.
    public var after: BatchID?
    /// `true` for a server relaying its own clients' writes upstream (roles `hq`, `admin`, `manager`):
    /// writes under other nodes are then accepted as relayed (SPEC §15.1).
    public var relay: Bool
    /// During a recovery sync after the server was restored from a backup (SPEC §11.1): the epoch
    /// the client last synced with. Writes under other nodes the server lacks are then accepted.
    public var recoveringFrom: String?
    /// The record versions (full envelopes) to merge.
    public var records: [Record]

    /// Creates a request.
    public init(batch: BatchID, node: NodeID, after: BatchID? = nil, relay: Bool = false, recoveringFrom: String? = nil,
                records: [Record]) {
        self.batch = batch
        self.node = node
        self.after = after
        self.relay = relay
        self.recoveringFrom = recoveringFrom
        self.records = records
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "batch": .string(batch.rawValue), "node": .string(node.rawValue), "records": .array(records.map(\.jsonValue)),
        ]
        if let after { object["after"] = .string(after.rawValue) }
        if relay { object["relay"] = .bool(true) }
        if let recoveringFrom { object["recoveringFrom"] = .string(recoveringFrom) }
        return .object(object)
    }

    /// The members other than `records`, shared by the tree and the streaming decoder.
    struct Header {
        var batch: BatchID
        var node: NodeID
        var after: BatchID?
        var relay = false
        var recoveringFrom: String?

        /// Reads and checks the small members; `records` is read by the caller.
        init(reader: inout ObjectReader) throws(WireDecodingError) {
            let batchText = try reader.string("batch")
            guard let batch = BatchID(batchText) else { throw WireDecodingError(path: "$.batch", reason: "is not a UUID") }
            self.batch = batch
            let nodeText = try reader.string("node")
            guard NodeID.isValid(nodeText) else {
                throw WireDecodingError(path: "$.node", reason: "is not a node id (1–64 of A–Z, a–z, 0–9, '_', '-')")
            }
            node = NodeID(unchecked: nodeText)
            switch reader.optionalValue("after") {
            case nil, .null?: after = nil
            case .string(let text)?:
                guard let after = BatchID(text) else { throw WireDecodingError(path: "$.after", reason: "is not a UUID") }
                self.after = after
            default: throw WireDecodingError(path: "$.after", reason: "expected a batch id or null")
            }
            if let value = reader.optionalValue("relay") {
                guard case .bool(let flag) = value else { throw WireDecodingError(path: "$.relay", reason: "expected true or false") }
                relay = flag
            }
            if let value = reader.optionalValue("recoveringFrom") {
                guard case .string(let epoch) = value, Epoch.isValid(epoch) else {
                    throw WireDecodingError(path: "$.recoveringFrom", reason: "expected an epoch id")
                }
                recoveringFrom = epoch
            }
        }
    }

    /// Every member a push request may hold.
    static let members: [String] = ["batch", "node", "after", "relay", "recoveringFrom", "records"]

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let header = try Header(reader: &reader)
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
        try reader.finish(known: Self.members)
        self.init(header, records: records)
    }

    init(_ header: Header, records: [Record]) {
        self.init(batch: header.batch, node: header.node, after: header.after, relay: header.relay,
                  recoveringFrom: header.recoveringFrom, records: records)
    }
}

/// A server epoch: a new one begins each time the server database is restored from a backup
/// (SPEC §11.1). 1–64 of `[A-Za-z0-9_-]`, like node ids.
public enum Epoch {
    /// `true` when `text` is a well-formed epoch id.
    public static func isValid(_ text: String) -> Bool { NodeID.isValid(text) }
}

/// `POST /v1/diff` request body: which of these record versions hold writes the server lacks?
/// Used by the recovery sync (SPEC §11.1), like CouchDB's `_revs_diff`.
public struct DiffRequest: Sendable, Hashable {
    /// One entry per record: its id and the clock of the version the client holds.
    public var records: [Entry]

    /// A record version named by id and clock.
    public struct Entry: Sendable, Hashable {
        /// The record id.
        public var id: RecordID
        /// The clock of the client's version.
        public var clock: VectorClock

        /// Creates an entry.
        public init(id: RecordID, clock: VectorClock) {
            self.id = id
            self.clock = clock
        }
    }

    /// Creates a request (at most ``SyncProtocol/maxBatchRecords`` entries).
    public init(records: [Entry]) { self.records = records }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object(["records": .array(records.map { .object(["id": .string($0.id.rawValue), "clock": $0.clock.jsonValue]) })])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let items = try reader.array("records")
        guard items.count <= SyncProtocol.maxBatchRecords else {
            throw WireDecodingError(path: "$.records", reason: "holds \(items.count) entries; at most \(SyncProtocol.maxBatchRecords)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            var itemReader = try ObjectReader(item, path: "$.records[\(index)]")
            let idText = try itemReader.string("id")
            guard let id = RecordID.normalize(idText) else { throw WireDecodingError(path: itemReader.path("id"), reason: "is not a UUID") }
            let clock = try VectorClock(json: itemReader.value("clock"), path: itemReader.path("clock"))
            try itemReader.finish(known: ["id", "clock"])
            entries.append(Entry(id: RecordID(unchecked: id), clock: clock))
        }
        try reader.finish(known: ["records"])
        self.init(records: entries)
    }
}

/// `POST /v1/diff` response body: the ids (in request order) whose given version holds some write
/// the server's stored version has not seen (or that the server does not hold at all).
public struct DiffResponse: Sendable, Hashable {
    /// Records to re-offer with a push.
    public var missing: [RecordID]

    /// Creates a response.
    public init(missing: [RecordID]) { self.missing = missing }

    /// The wire form.
    public var jsonValue: JSONValue { .object(["missing": .array(missing.map { .string($0.rawValue) })]) }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        var missing: [RecordID] = []
        for (index, item) in try reader.array("missing").enumerated() {
            guard let text = item.stringValue, let id = RecordID.normalize(text) else {
                throw WireDecodingError(path: "$.missing[\(index)]", reason: "is not a UUID")
            }
            missing.append(RecordID(unchecked: id))
        }
        try reader.finish(known: ["missing"])
        self.init(missing: missing)
    }
}

/// `GET /v1/authors` response body: the user enrolled for each node id whose writes the caller
/// may read, so conflicts can name who wrote each value (SPEC §9.5).
public struct AuthorsResponse: Sendable, Hashable {
    /// User name by node id.
    public var authors: [NodeID: String]

    /// Creates a response.
    public init(authors: [NodeID: String]) { self.authors = authors }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object(["authors": .object(Dictionary(uniqueKeysWithValues: authors.map { ($0.key.rawValue, JSONValue.string($0.value)) }))])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        guard case .object(let object) = try reader.value("authors") else {
            throw WireDecodingError(path: "$.authors", reason: "expected an object")
        }
        var authors: [NodeID: String] = [:]
        for (node, name) in object {
            guard NodeID.isValid(node) else { throw WireDecodingError(path: "$.authors", reason: "'\(node)' is not a node id") }
            guard case .string(let user) = name else { throw WireDecodingError(path: "$.authors.\(node)", reason: "expected a user name") }
            authors[NodeID(unchecked: node)] = user
        }
        try reader.finish(known: ["authors"])
        self.init(authors: authors)
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
    public var batch: BatchID
    /// One result per pushed record, in request order.
    public var results: [PushResult]

    /// Creates a response.
    public init(batch: BatchID, results: [PushResult]) {
        self.batch = batch
        self.results = results
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object([
            "batch": .string(batch.rawValue),
            "results": .array(results.map { .object(["id": .string($0.id.rawValue), "status": .string($0.status.rawValue), "seq": .int($0.seq)]) }),
        ])
    }

    /// Reads the wire form strictly.
    public init(json: JSONValue) throws(WireDecodingError) {
        var reader = try ObjectReader(json, path: "$")
        let batchText = try reader.string("batch")
        guard let batch = BatchID(batchText) else { throw WireDecodingError(path: "$.batch", reason: "is not a UUID") }
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
    /// The server database's current epoch: it changes when the server is restored from a backup,
    /// and a client that last synced in another epoch runs a recovery sync (SPEC §11.1).
    public var epoch: String
    /// Protocol versions the server speaks.
    public var protocolVersions: [Int]
    /// The most records a push batch may hold.
    public var maxBatchRecords: Int
    /// The most records a pull page may hold.
    public var maxPageRecords: Int

    /// Creates a session description.
    public init(user: String, role: Role, branch: String, serverID: String, epoch: String,
                protocolVersions: [Int] = SyncProtocol.supportedVersions,
                maxBatchRecords: Int = SyncProtocol.maxBatchRecords, maxPageRecords: Int = SyncProtocol.maxPageRecords) {
        self.user = user
        self.role = role
        self.branch = branch
        self.serverID = serverID
        self.epoch = epoch
        self.protocolVersions = protocolVersions
        self.maxBatchRecords = maxBatchRecords
        self.maxPageRecords = maxPageRecords
    }

    /// The wire form.
    public var jsonValue: JSONValue {
        .object([
            "user": .string(user), "role": .string(role.rawValue), "branch": .string(branch), "serverId": .string(serverID),
            "epoch": .string(epoch), "protocolVersions": .array(protocolVersions.map { .int(Int64($0)) }),
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
        let epoch = try reader.string("epoch")
        var versions: [Int] = []
        for item in try reader.array("protocolVersions") {
            guard let version = item.intValue else { throw WireDecodingError(path: "$.protocolVersions", reason: "expected integers") }
            versions.append(Int(version))
        }
        let maxBatch = try reader.int("maxBatchRecords")
        let maxPage = try reader.int("maxPageRecords")
        try reader.finish(known: ["user", "role", "branch", "serverId", "epoch", "protocolVersions", "maxBatchRecords", "maxPageRecords"])
        self.init(user: user, role: role, branch: branch, serverID: serverID, epoch: epoch, protocolVersions: versions,
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
