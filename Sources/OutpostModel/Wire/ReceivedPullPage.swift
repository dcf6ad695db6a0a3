import OutpostJSON
// A pull page as a replica needs it: every envelope validated and summarised (id, type,
// branch, flags, last write, index values) with its bytes as received, but materialised as a
// `Record` only on demand — a replica that does not hold the record yet stores the bytes as
// they are, so most envelopes of a large pull never become `Record`s.
//
// Strictness is exactly that of `PullPage.decode(bytes:)` / `Record(json:)`: the light pass
// accepts only canonical envelopes (members in canonical order, field names ascending, one
// sibling per field, no lifecycle, no escaped keys), validating every member as the full
// decoder does (including the hlc range and the limits of SPEC §14: clock entries, field
// count); any other envelope — valid or not — goes through the full decoder, and so does the
// whole page when anything fails (to throw the reference decoder's error).

/// The values a replica derives from a record to store it: identity, flags, the latest write
/// and the values copied into indexed columns. ``init(_:)`` is the definition.
public struct RecordSummary: Sendable, Hashable {
    /// ``Record/id``.
    public var id: RecordID
    /// ``Record/type``.
    public var type: EntityType
    /// ``Record/branch``.
    public var branch: String
    /// ``Record/isDeleted``.
    public var isDeleted: Bool
    /// ``Record/hasConflicts``.
    public var hasConflicts: Bool
    /// ``Record/lastModified``.
    public var lastModified: HybridTimestamp
    /// The winning `code` of a customer (when a string).
    public var code: String?
    /// The winning `customer` of a contact, visit or complaint (when a string).
    public var customer: String?
    /// The display label: a customer's or contact's name, a visit's actual (else planned) time,
    /// a complaint's reception time; empty when absent or not a string.
    public var label: String
    /// The time the company policies key on, in UTC ms (see ``policyTime(type:tier:actualAt:category:receivedAt:status:)``).
    public var policyTime: Int64?
    /// The winning `owner` of a customer (when a string).
    public var owner: String?
    /// The winning `tier` of a customer (when a string).
    public var tier: String?
    /// The winning `status` of a customer or complaint (when a string).
    public var status: String?
    /// The search key of a customer's or contact's name (``MatchKeys/searchKey(_:)``), for
    /// indexed prefix and substring search; `nil` for other types or without a name.
    public var nameKey: String?

    /// The time a record's policy filters key on (UTC ms), so a replica can index it: for a
    /// visit its completion time (`actualAt`); `nil` otherwise. Revisit due times and complaint
    /// deadlines depend on the policy document a replica stores, so they are not summarised here.
    public static func policyTime(type: EntityType, tier: String?, actualAt: String?, category: String?,
                                  receivedAt: String?, status: String?) -> Int64? {
        switch type {
        case .visit:
            return actualAt.flatMap(Timestamps.parse)
        case .customer, .complaint, .contact:
            return nil
        }
    }

    /// The summary of `record`.
    public init(_ record: Record) {
        id = record.id
        type = record.type
        branch = record.branch
        isDeleted = record.isDeleted
        hasConflicts = record.hasConflicts
        lastModified = record.lastModified
        code = record.type == .customer ? record.value(of: "code")?.stringValue : nil
        customer = record.type == .customer ? nil : record.value(of: "customer")?.stringValue
        switch record.type {
        case .customer, .contact: label = record.value(of: "name")?.stringValue ?? ""
        case .visit: label = (record.value(of: "actualAt") ?? record.value(of: "plannedAt"))?.stringValue ?? ""
        case .complaint: label = record.value(of: "receivedAt")?.stringValue ?? ""
        }
        policyTime = Self.policyTime(
            type: record.type, tier: record.value(of: "tier")?.stringValue, actualAt: record.value(of: "actualAt")?.stringValue,
            category: record.value(of: "category")?.stringValue, receivedAt: record.value(of: "receivedAt")?.stringValue,
            status: record.value(of: "status")?.stringValue)
        owner = record.type == .customer ? record.value(of: "owner")?.stringValue : nil
        tier = record.type == .customer ? record.value(of: "tier")?.stringValue : nil
        status = record.type == .customer || record.type == .complaint ? record.value(of: "status")?.stringValue : nil
        nameKey = record.type == .customer || record.type == .contact ? record.value(of: "name")?.stringValue.map(MatchKeys.searchKey) : nil
    }

    init(id: RecordID, type: EntityType, branch: String, lastModified: HybridTimestamp, values: SummaryValues) {
        self.id = id
        self.type = type
        self.branch = branch
        isDeleted = false
        hasConflicts = false
        self.lastModified = lastModified
        code = type == .customer ? values.code.string : nil
        customer = type == .customer ? nil : values.customer.string
        switch type {
        case .customer, .contact: label = values.name.string ?? ""
        case .visit: label = (values.actualAt.isPresent ? values.actualAt : values.plannedAt).string ?? ""
        case .complaint: label = values.receivedAt.string ?? ""
        }
        policyTime = Self.policyTime(type: type, tier: values.tier.string, actualAt: values.actualAt.string,
                                     category: values.category.string, receivedAt: values.receivedAt.string,
                                     status: values.status.string)
        owner = type == .customer ? values.owner.string : nil
        tier = type == .customer ? values.tier.string : nil
        status = type == .customer || type == .complaint ? values.status.string : nil
        nameKey = type == .customer || type == .contact ? values.name.string.map(MatchKeys.searchKey) : nil
    }
}

/// The winning values of the fields a summary may need, as met by the light pass.
struct SummaryValues {
    enum Value {
        case absent
        case present(String?)  // the string, or nil for a value of another type

        var isPresent: Bool {
            if case .absent = self { return false }
            return true
        }
        var string: String? {
            if case .present(let text) = self { return text }
            return nil
        }
    }
    var code = Value.absent
    var customer = Value.absent
    var name = Value.absent
    var actualAt = Value.absent
    var plannedAt = Value.absent
    var receivedAt = Value.absent
    var tier = Value.absent
    var category = Value.absent
    var status = Value.absent
    var owner = Value.absent
}

/// A decoded pull page whose records are summarised, kept as received and decoded on demand.
public struct ReceivedPullPage: Sendable {
    /// The page body as received.
    public let body: [UInt8]
    /// One summary per envelope, in server order.
    public let summaries: [RecordSummary]
    /// The byte range of each envelope in ``body``.
    public let ranges: [Range<Int>]
    /// Records decoded already (envelopes the light pass handed to the full decoder), by index.
    let decoded: [Int: Record]
    /// The cursor to send next time.
    public let cursor: String
    /// `true` when more changes wait.
    public let hasMore: Bool

    /// The number of records.
    public var count: Int { summaries.count }

    /// The envelope bytes of record `index` as received.
    public func receivedBytes(at index: Int) -> ArraySlice<UInt8> { body[ranges[index]] }

    /// The record at `index`, decoded from its bytes (already validated) when not decoded yet.
    public func record(at index: Int) throws -> Record {
        if let record = decoded[index] { return record }
        return try body.withUnsafeBytes { raw in
            let range = ranges[index]
            var reader = try JSONStreamReader(UnsafeRawBufferPointer(rebasing: raw[range]))
            let record = try Record.decode(from: &reader, path: "$.records[\(index)]")
            try reader.finish()
            return record
        }
    }

    /// Every record, decoded (tests and diagnostics).
    public func records() throws -> [Record] {
        try (0..<count).map { try record(at: $0) }
    }

    /// Decodes a pull page body. Accepts and refuses exactly what ``PullPage/decode(bytes:)``
    /// does and throws the same errors.
    public static func decode(bytes: [UInt8]) throws -> ReceivedPullPage {
        if let page = try? decodeLight(bytes: bytes) { return page }
        // Anything unusual: the full decoder words the error (or, should it accept, is used as is).
        let page = try PullPage.decode(bytes: bytes)
        assertionFailure("the light pull decoder refused a page the full decoder accepts")
        return ReceivedPullPage(page: page, bytes: bytes)
    }

    /// A page from a fully decoded one (its envelopes' bytes as received when it has them).
    init(page: PullPage, bytes: [UInt8]) {
        if page.receivedBytes.count == page.records.count {
            body = bytes
            ranges = page.receivedBytes.map { $0.startIndex..<$0.endIndex }
        } else {
            var out: [UInt8] = []
            var ranges: [Range<Int>] = []
            for record in page.records {
                let start = out.count
                record.appendCanonicalJSON(to: &out)
                ranges.append(start..<out.count)
            }
            body = out
            self.ranges = ranges
        }
        summaries = page.records.map(RecordSummary.init)
        var decoded: [Int: Record] = [:]
        for (index, record) in page.records.enumerated() { decoded[index] = record }
        self.decoded = decoded
        cursor = page.cursor
        hasMore = page.hasMore
    }

    /// The light decoder (errors are not worded for users: the caller re-runs the full decoder).
    static func decodeLight(bytes: [UInt8]) throws -> ReceivedPullPage {
        try bytes.withUnsafeBytes { raw throws -> ReceivedPullPage in
            var reader = try JSONStreamReader(raw)
            try reader.beginObject()
            var summaries: [RecordSummary] = []
            var ranges: [Range<Int>] = []
            var decoded: [Int: Record] = [:]
            var cursor: String?
            var hasMore: Bool?
            var seen: UInt8 = 0
            var keyOffset = 0
            struct Refused: Error {}
            while let key = try reader.nextKey(keyOffset: &keyOffset) {
                let bit: UInt8
                switch key {
                case "records": bit = 1
                case "cursor": bit = 2
                case "hasMore": bit = 4
                default: throw Refused()
                }
                if seen & bit != 0 { throw Refused() }
                seen |= bit
                switch bit {
                case 1:
                    try reader.beginArray()
                    summaries.reserveCapacity(SyncProtocol.maxPageRecords)
                    ranges.reserveCapacity(SyncProtocol.maxPageRecords)
                    while try reader.nextElement() {
                        let start = reader.currentOffset
                        let saved = reader
                        if let summary = Record.summarize(&reader) {
                            summaries.append(summary)
                        } else {
                            reader = saved
                            let record = try Record.decode(from: &reader)
                            decoded[summaries.count] = record
                            summaries.append(RecordSummary(record))
                        }
                        ranges.append(start..<reader.currentOffset)
                    }
                case 2:
                    guard try reader.peekKind() == .string else { throw Refused() }
                    cursor = try reader.readString()
                default:
                    guard try reader.peekKind() == .bool else { throw Refused() }
                    hasMore = try reader.readBool()
                }
            }
            try reader.finish()
            guard seen & 1 != 0, let cursor, let hasMore else { throw Refused() }
            return ReceivedPullPage(body: bytes, summaries: summaries, ranges: ranges, decoded: decoded, cursor: cursor, hasMore: hasMore)
        }
    }

    private init(body: [UInt8], summaries: [RecordSummary], ranges: [Range<Int>], decoded: [Int: Record], cursor: String, hasMore: Bool) {
        self.body = body
        self.summaries = summaries
        self.ranges = ranges
        self.decoded = decoded
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

extension Record {
    /// The light pass over one envelope at the reader's cursor: its summary when the envelope is
    /// canonical and valid (then ``decode(from:path:)`` accepts it and derives the same summary),
    /// `nil` otherwise, with the reader left anywhere (the caller rewinds and decodes fully).
    static func summarize(_ reader: inout JSONStreamReader) -> RecordSummary? {
        do {
            return try summarizeCanonical(&reader)
        } catch {
            return nil
        }
    }

    @inline(__always)
    private static func expectKey(_ reader: inout JSONStreamReader, _ literal: StaticString) throws -> Bool {
        var offset = 0
        var escaped: String?
        guard let key = try reader.nextKeyBytes(keyOffset: &offset, escaped: &escaped), escaped == nil else { return false }
        return key.hasSameBytes(as: literal)
    }

    private static func summarizeCanonical(_ reader: inout JSONStreamReader) throws -> RecordSummary? {
        guard try reader.peekKind() == .object else { return nil }
        try reader.beginObject()
        // branch
        guard try expectKey(&reader, "branch"), try reader.peekKind() == .string,
            let branchBytes = try reader.readPlainStringBytes()
        else { return nil }
        let branch = String(decoding: branchBytes, as: UTF8.self)
        guard Branch.isValid(branch) else { return nil }
        // clock
        guard try expectKey(&reader, "clock") else { return nil }
        let clock = try decodeClock(&reader, path: "")
        // fields: names strictly ascending (so no duplicates), one covered sibling each.
        guard try expectKey(&reader, "fields"), try reader.peekKind() == .object else { return nil }
        try reader.beginObject()
        var values = SummaryValues()
        var latest = HybridTimestamp.zero
        var previous = UnsafeRawBufferPointer(start: nil, count: 0)
        var first = true
        var fieldCount = 0
        var offset = 0
        var escaped: String?
        while let name = try reader.nextKeyBytes(keyOffset: &offset, escaped: &escaped) {
            guard escaped == nil else { return nil }
            // Over the field limit (§14): the full decoder refuses it with the limit error.
            fieldCount += 1
            guard fieldCount <= RecordLimits.maxFields else { return nil }
            if !first {
                guard Self.bytesLess(previous, name) else { return nil }
            }
            first = false
            previous = name
            guard try reader.peekKind() == .array else { return nil }
            try reader.beginArray()
            guard try reader.nextElement(), try reader.peekKind() == .object else { return nil }
            try reader.beginObject()
            guard try expectKey(&reader, "dot") else { return nil }
            var covered = false
            guard try readDot(&reader, clock: clock, covered: &covered) != nil, covered else { return nil }
            guard try expectKey(&reader, "hlc"), let timestamp = try readTimestamp(&reader) else { return nil }
            guard try expectKey(&reader, "value") else { return nil }
            let slot = Self.summarySlot(name)
            if slot == 0 {
                try reader.skipValue()
            } else {
                let value: SummaryValues.Value
                if try reader.peekKind() == .string {
                    if let bytes = try reader.readPlainStringBytes() {
                        value = .present(String(decoding: bytes, as: UTF8.self))
                    } else {
                        value = .present(try reader.readString())
                    }
                } else {
                    try reader.skipValue()
                    value = .present(nil)
                }
                switch slot {
                case 1: values.code = value
                case 2: values.customer = value
                case 3: values.name = value
                case 4: values.actualAt = value
                case 5: values.plannedAt = value
                case 7: values.tier = value
                case 8: values.category = value
                case 9: values.status = value
                case 10: values.owner = value
                default: values.receivedAt = value
                }
            }
            // End of the sibling, then of the register (a single sibling).
            guard try reader.nextKeyBytes(keyOffset: &offset, escaped: &escaped) == nil else { return nil }
            guard try !reader.nextElement() else { return nil }
            if timestamp > latest { latest = timestamp }
        }
        // id
        guard try expectKey(&reader, "id"), try reader.peekKind() == .string,
            let idBytes = try reader.readPlainStringBytes(), let id = RecordID.normalize(bytes: idBytes)
        else { return nil }
        // type (a lifecycle, or anything else, goes to the full decoder)
        guard try expectKey(&reader, "type"), try reader.peekKind() == .string,
            let typeBytes = try reader.readPlainStringBytes(),
            let type = EntityType(rawValue: String(decoding: typeBytes, as: UTF8.self))
        else { return nil }
        guard try reader.nextKeyBytes(keyOffset: &offset, escaped: &escaped) == nil else { return nil }
        return RecordSummary(id: RecordID(unchecked: id), type: type, branch: branch, lastModified: latest, values: values)
    }

    /// `a < b` by bytes (the canonical member order).
    @inline(__always)
    private static func bytesLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] }
        return a.count < b.count
    }

    /// Which summary value a field name feeds (0: none).
    @inline(__always)
    private static func summarySlot(_ name: UnsafeRawBufferPointer) -> Int {
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            name.hasSameBytes(as: literal)
        }
        switch name.count {
        case 4: return equals("code") ? 1 : equals("name") ? 3 : equals("tier") ? 7 : 0
        case 5: return equals("owner") ? 10 : 0
        case 6: return equals("status") ? 9 : 0
        case 8: return equals("customer") ? 2 : equals("actualAt") ? 4 : equals("category") ? 8 : 0
        case 9: return equals("plannedAt") ? 5 : 0
        case 10: return equals("receivedAt") ? 6 : 0
        default: return 0
        }
    }
}
