import OutpostJSON
// Direct decoding of envelopes and pull pages from UTF-8 bytes with `JSONStreamReader`,
// without building a `JSONValue` tree for the envelope structure (field values still become
// `JSONValue`s). Accepts and refuses exactly what `JSONValue.parse` + `Record(json:)` /
// `PullPage(json:)` accept and refuse; for a document with a single fault the error is the
// same too. With several faults the first one met may differ (the tree decoder itself
// visits fields in dictionary order), so the public entry points re-run the reference
// decoder to word the error — except for a breached size limit (SPEC §14), reported as met
// without reading the oversized document again.

extension Record {
    /// Decodes one envelope at the reader's cursor (strictly, like ``init(json:path:)``),
    /// leaving the cursor just past it. Throws `JSONParseError` or `WireDecodingError`.
    public static func decode(from reader: inout JSONStreamReader, path: @autoclosure () -> String = "$") throws -> Record {
        func fail(_ member: String, _ reason: String) -> WireDecodingError {
            WireDecodingError(path: "\(path()).\(member)", reason: reason)
        }
        let kind = try reader.peekKind()
        guard kind == .object else {
            _ = try reader.readValue()
            throw WireDecodingError(path: path(), reason: "expected an object, got \(kind.typeName)")
        }
        try reader.beginObject()
        var seen: UInt8 = 0
        var id: String?
        var type: EntityType?
        var branch: String?
        var clock: VectorClock?
        var fields: [String: Register<JSONValue>]?
        var lifecycleValue: JSONValue?
        var unknown: [String] = []
        var uncovered: [(name: String, index: Int, dot: Dot)] = []
        var keyOffset = 0
        var escaped: String?
        while let keyBytes = try reader.nextKeyBytes(keyOffset: &keyOffset, escaped: &escaped) {
            let member = escaped.map(Self.envelopeMember(named:)) ?? Self.envelopeMember(keyBytes)
            if member == 0 {
                let name = escaped ?? String(decoding: keyBytes, as: UTF8.self)
                if unknown.contains(name) { throw reader.duplicateKey(name, at: keyOffset) }
                unknown.append(name)
                try reader.skipValue()
                continue
            }
            let bit: UInt8 = 1 << (member - 1)
            if seen & bit != 0 { throw reader.duplicateKey(Self.envelopeMemberNames[member - 1], at: keyOffset) }
            seen |= bit
            switch member {
            case 1:  // id
                guard try reader.peekKind() == .string else {
                    _ = try reader.readValue()
                    throw fail("id", "expected a string")
                }
                if let bytes = try reader.readPlainStringBytes() {
                    guard let normalized = RecordID.normalize(bytes: bytes) else { throw fail("id", "is not a UUID") }
                    id = normalized
                } else {
                    guard let normalized = RecordID.normalize(try reader.readString()) else { throw fail("id", "is not a UUID") }
                    id = normalized
                }
            case 2:  // type
                guard try reader.peekKind() == .string else {
                    _ = try reader.readValue()
                    throw fail("type", "expected a string")
                }
                let typeText = try reader.readString()
                guard let entityType = EntityType(rawValue: typeText) else {
                    let known = EntityType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw fail("type", "'\(typeText)' is not one of \(known)")
                }
                type = entityType
            case 3:  // branch
                guard try reader.peekKind() == .string else {
                    _ = try reader.readValue()
                    throw fail("branch", "expected a string")
                }
                let text = try reader.readString()
                guard Branch.isValid(text) else { throw fail("branch", "expected 1–32 letters, digits, '-' or '_'") }
                branch = text
            case 4:  // clock
                let decoded = try decodeClock(&reader, path: "\(path()).clock")
                clock = decoded
                // Fields read before the clock are checked against it now.
                for item in uncovered where !decoded.covers(item.dot) {
                    throw fail("fields.\(item.name)[\(item.index)].dot", "is not covered by the record clock")
                }
                uncovered = []
            case 5:  // fields
                fields = try decodeFields(&reader, clock: clock, uncovered: &uncovered, path: path())
            default:  // lifecycle
                lifecycleValue = try reader.readValue()
            }
        }
        guard let id else { throw fail("id", "is required") }
        guard let type else { throw fail("type", "is required") }
        guard let branch else { throw fail("branch", "is required") }
        guard let clock else { throw fail("clock", "is required") }
        guard let fields else { throw fail("fields", "is required") }
        var lifecycle = Register<Lifecycle>()
        if let lifecycleValue {
            lifecycle = try decodeLifecycle(lifecycleValue, clock: clock, path: path())
        }
        if !unknown.isEmpty {
            throw fail(unknown.min()!, "is not a known field")
        }
        return Record(id: RecordID(unchecked: id), type: type, branch: branch, clock: clock, fields: fields, lifecycle: lifecycle)
    }

    private static let envelopeMemberNames = ["id", "type", "branch", "clock", "fields", "lifecycle"]

    /// 1-based index of an envelope member name (0 when unknown).
    @inline(__always)
    private static func envelopeMember(_ key: UnsafeRawBufferPointer) -> Int {
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            key.hasSameBytes(as: literal)
        }
        switch key.count {
        case 2: return equals("id") ? 1 : 0
        case 4: return equals("type") ? 2 : 0
        case 5: return equals("clock") ? 4 : 0
        case 6: return equals("branch") ? 3 : equals("fields") ? 5 : 0
        case 9: return equals("lifecycle") ? 6 : 0
        default: return 0
        }
    }

    private static func envelopeMember(named name: String) -> Int {
        (envelopeMemberNames.firstIndex(of: name) ?? -1) + 1
    }

    /// Reads a vector clock object (like ``VectorClock/init(json:path:)``).
    static func decodeClock(_ reader: inout JSONStreamReader, path: @autoclosure () -> String) throws -> VectorClock {
        let kind = try reader.peekKind()
        guard kind == .object else {
            _ = try reader.readValue()
            throw WireDecodingError(path: path(), reason: "expected an object of node → counter, got \(kind.typeName)")
        }
        try reader.beginObject()
        var counters: [NodeID: UInt64] = [:]
        var zeroKeys: [String] = []
        var keyOffset = 0
        while let key = try reader.nextKey(keyOffset: &keyOffset) {
            if counters[NodeID(unchecked: key)] != nil || zeroKeys.contains(key) {
                throw reader.duplicateKey(key, at: keyOffset)
            }
            // Refused before reading further: nobody makes us hash an unbounded clock.
            guard counters.count + zeroKeys.count < RecordLimits.maxClockEntries else { throw WireDecodingError.clockTooLarge(path: path()) }
            guard NodeID.isValid(key) else {
                _ = try reader.readValue()
                throw WireDecodingError(path: "\(path()).\(key)", reason: "is not a valid node id")
            }
            guard case .int(let counter) = try reader.readValue(), counter >= 0 else {
                throw WireDecodingError(path: "\(path()).\(key)", reason: "expected a non-negative integer counter")
            }
            if counter > 0 { counters[NodeID(unchecked: key)] = UInt64(counter) } else { zeroKeys.append(key) }
        }
        return VectorClock(nonZero: counters)
    }

    /// Reads the `fields` object. Dots are checked against `clock` when it is already known;
    /// otherwise they are collected in `uncovered` for the caller to check.
    private static func decodeFields(
        _ reader: inout JSONStreamReader, clock: VectorClock?, uncovered: inout [(name: String, index: Int, dot: Dot)],
        path: @autoclosure () -> String
    ) throws -> [String: Register<JSONValue>] {
        func fail(_ member: String, _ reason: String) -> WireDecodingError {
            WireDecodingError(path: "\(path()).\(member)", reason: reason)
        }
        guard try reader.peekKind() == .object else {
            _ = try reader.readValue()
            throw fail("fields", "expected an object")
        }
        try reader.beginObject()
        var fields: [String: Register<JSONValue>] = [:]
        fields.reserveCapacity(16)
        var keyOffset = 0
        while let name = try reader.nextKey(keyOffset: &keyOffset) {
            guard fields.count < RecordLimits.maxFields else { throw WireDecodingError.tooManyFields(path: "\(path()).fields") }
            guard try reader.peekKind() == .array else {
                _ = try reader.readValue()
                throw fail("fields.\(name)", "expected a non-empty array of values")
            }
            try reader.beginArray()
            guard try reader.nextElement() else { throw fail("fields.\(name)", "expected a non-empty array of values") }
            var first: Sibling<JSONValue>?
            var more: [Sibling<JSONValue>] = []
            var index = 0
            repeat {
                guard index < RecordLimits.maxSiblings else { throw WireDecodingError.tooManySiblings(path: "\(path()).fields.\(name)") }
                var covered = false
                let sibling = try decodeSibling(&reader, clock: clock, covered: &covered) { fail("fields.\(name)[\(index)]\($0)", $1) }
                if clock != nil {
                    guard covered else { throw fail("fields.\(name)[\(index)].dot", "is not covered by the record clock") }
                } else {
                    uncovered.append((name, index, sibling.dot))
                }
                if first == nil { first = sibling } else { more.append(sibling) }
                index += 1
            } while try reader.nextElement()
            let register: Register<JSONValue>
            if more.isEmpty {
                register = Register(first!)
            } else {
                more.insert(first!, at: 0)
                try checkDistinctDots(more, path: "\(path()).fields.\(name)")
                register = Register(siblings: more)
            }
            if fields.updateValue(register, forKey: name) != nil { throw reader.duplicateKey(name, at: keyOffset) }
        }
        return fields
    }

    /// Reads one `{dot, hlc, value}` sibling. Problems of shape are reported after the whole
    /// object was read (so JSON errors such as duplicate keys win, as in the tree decoder), in
    /// the tree decoder's order: members, then dot, then hlc.
    @inline(__always)
    private static func decodeSibling(
        _ reader: inout JSONStreamReader, clock: VectorClock?, covered: inout Bool, fail: (String, String) -> WireDecodingError
    ) throws -> Sibling<JSONValue> {
        guard try reader.peekKind() == .object else {
            _ = try reader.readValue()
            throw fail("", "expected {dot, hlc, value}")
        }
        try reader.beginObject()
        var seen: UInt8 = 0
        var extra: [String] = []
        var dot: Dot?
        var timestamp: HybridTimestamp?
        var timestampProblem: String?
        var value: JSONValue = .null
        var keyOffset = 0
        var escaped: String?
        while let key = try reader.nextKeyBytes(keyOffset: &keyOffset, escaped: &escaped) {
            let member: UInt8
            if let escaped {
                member = escaped == "dot" ? 1 : escaped == "hlc" ? 2 : escaped == "value" ? 4 : 0
            } else if key.count == 3 && key[0] == UInt8(ascii: "d") && key[1] == UInt8(ascii: "o") && key[2] == UInt8(ascii: "t") {
                member = 1
            } else if key.count == 3 && key[0] == UInt8(ascii: "h") && key[1] == UInt8(ascii: "l") && key[2] == UInt8(ascii: "c") {
                member = 2
            } else if key.hasSameBytes(as: "value") {
                member = 4
            } else {
                member = 0
            }
            if member == 0 {
                // Unknown members make the sibling invalid; duplicates among them are still JSON errors.
                let name = escaped ?? String(decoding: key, as: UTF8.self)
                if extra.contains(name) { throw reader.duplicateKey(name, at: keyOffset) }
                extra.append(name)
                try reader.skipValue()
                continue
            }
            if seen & member != 0 {
                throw reader.duplicateKey(member == 1 ? "dot" : member == 2 ? "hlc" : "value", at: keyOffset)
            }
            seen |= member
            switch member {
            case 1: dot = try readDot(&reader, clock: clock, covered: &covered)
            case 2: timestamp = try readTimestamp(&reader, problem: &timestampProblem)
            default: value = try reader.readValue()
            }
        }
        guard seen == 7, extra.isEmpty else { throw fail("", "expected {dot, hlc, value}") }
        guard let dot else { throw fail(".dot", "expected [node id, positive counter]") }
        guard let timestamp else { throw fail(".hlc", timestampProblem ?? "expected [milliseconds, logical counter]") }
        return Sibling(dot: dot, timestamp: timestamp, value: value)
    }

    /// Reads `["node", counter]`; `nil` (with the value consumed and checked) when it has another shape.
    /// The node id string is shared with the clock's when they are equal, and `covered` tells
    /// whether `clock` covers the dot (without hashing the node id).
    @inline(__always)
    static func readDot(_ reader: inout JSONStreamReader, clock: VectorClock?, covered: inout Bool) throws(JSONParseError) -> Dot? {
        guard try reader.peekKind() == .array else {
            try reader.skipValue()
            return nil
        }
        try reader.beginArray()
        guard try reader.nextElement() else { return nil }
        var node: NodeID?
        var clockCounter: UInt64?
        if try reader.peekKind() == .string {
            if let bytes = try reader.readPlainStringBytes() {
                // A short clock is scanned by bytes (no hashing); a long one is looked up below,
                // so decoding stays linear in the number of siblings.
                if let clock, clock.counters.count <= 8 {
                    for (known, counter) in clock.counters where known.rawValue.utf8.count == bytes.count {
                        let equal = known.rawValue.utf8.withContiguousStorageIfAvailable { UnsafeRawBufferPointer($0).hasSameBytes(as: bytes) }
                            ?? known.rawValue.utf8.elementsEqual(bytes)
                        if equal {
                            node = known
                            clockCounter = counter
                            break
                        }
                    }
                }
                if node == nil {
                    let text = String(decoding: bytes, as: UTF8.self)
                    if NodeID.isValid(text) { node = NodeID(unchecked: text) }
                }
            } else {
                let text = try reader.readString()
                if NodeID.isValid(text) { node = NodeID(unchecked: text) }
            }
        } else {
            try reader.skipValue()
        }
        guard try reader.nextElement() else { return nil }
        let counterValue = try reader.readValue()
        if try reader.nextElement() {
            try skipRestOfArray(&reader)
            return nil
        }
        guard let node, case .int(let counter) = counterValue, counter > 0 else { return nil }
        let dot = Dot(node: node, counter: UInt64(counter))
        if let clock {
            // A node found by bytes has its counter at hand; others (escaped, or not in the clock) are looked up.
            covered = (clockCounter ?? clock.counters[node] ?? 0) >= dot.counter
        }
        return dot
    }

    /// Reads `[millis, logical]`; `nil` (with the value consumed and checked) when it has another
    /// shape or its milliseconds are outside ``HybridTimestamp/validMillis``.
    @inline(__always)
    static func readTimestamp(_ reader: inout JSONStreamReader) throws(JSONParseError) -> HybridTimestamp? {
        var problem: String?
        return try readTimestamp(&reader, problem: &problem)
    }

    /// ``readTimestamp(_:)``, setting `problem` to the reason when the milliseconds are out of range.
    @inline(__always)
    static func readTimestamp(_ reader: inout JSONStreamReader, problem: inout String?) throws(JSONParseError) -> HybridTimestamp? {
        guard try reader.peekKind() == .array else {
            try reader.skipValue()
            return nil
        }
        try reader.beginArray()
        guard try reader.nextElement() else { return nil }
        let millisValue = try reader.readValue()
        guard try reader.nextElement() else { return nil }
        let logicalValue = try reader.readValue()
        if try reader.nextElement() {
            try skipRestOfArray(&reader)
            return nil
        }
        guard case .int(let millis) = millisValue, case .int(let logical) = logicalValue, logical >= 0, logical <= Int64(UInt32.max)
        else { return nil }
        if let reason = HybridTimestamp.rangeProblem(millis: millis) {
            problem = reason
            return nil
        }
        return HybridTimestamp(millis: millis, logical: UInt32(logical))
    }

    /// Skips the remaining elements of an array whose cursor is at an element.
    private static func skipRestOfArray(_ reader: inout JSONStreamReader) throws(JSONParseError) {
        repeat { try reader.skipValue() } while try reader.nextElement()
    }
}

extension Record {
    /// Decodes one envelope from its UTF-8 JSON text (a stored `state`, say) without building a
    /// ``JSONValue`` tree for the envelope.
    ///
    /// Accepts and refuses exactly what `Record(json: JSONValue.parse(bytes))` does and throws
    /// the same error (`JSONParseError` or `WireDecodingError`): when the fast path refuses the
    /// text, the reference decoder is run to word the error — except for a breached limit
    /// (``WireDecodingError/Kind/limitExceeded``), thrown as met so oversized text is not read twice.
    ///
    /// ```swift
    /// let record = try statement.withUnsafeBlob(at: 0) { try Record.decode(bytes: $0) }
    /// ```
    public static func decode(bytes: UnsafeRawBufferPointer) throws -> Record {
        do {
            var reader = try JSONStreamReader(bytes)
            let record = try decode(from: &reader)
            try reader.finish()
            return record
        } catch let error as WireDecodingError where error.isLimitExceeded {
            // Met before reading past the limit: no need to parse the whole oversized text again.
            throw error
        } catch {
            let record = try Record(json: JSONValue.parse(bytes))
            assertionFailure("the fast envelope decoder refused an envelope the reference decoder accepts: \(error)")
            return record
        }
    }

    /// Decodes one envelope from its UTF-8 JSON text; see ``decode(bytes:)-(UnsafeRawBufferPointer)``.
    public static func decode(bytes: [UInt8]) throws -> Record {
        try bytes.withUnsafeBytes { try decode(bytes: $0) }
    }
}

extension PullPage {
    /// Decodes a pull page straight from the response body, keeping each envelope's bytes
    /// (``receivedBytes``) so a replica can store new records as received.
    ///
    /// Accepts and refuses exactly what `PullPage(json: JSONValue.parse(bytes))` does, and throws
    /// the same error (`JSONParseError` or `WireDecodingError`).
    public static func decode(bytes: [UInt8]) throws -> PullPage {
        do {
            return try decodeFast(bytes: bytes)
        } catch let error as WireDecodingError where error.isLimitExceeded {
            throw error  // as met: the reference decoder would refuse at the same limit
        } catch {
            // Word the error exactly as the reference decoder does.
            let page = try PullPage(json: JSONValue.parse(bytes))
            assertionFailure("the fast pull decoder refused a page the reference decoder accepts: \(error)")
            return page
        }
    }

    /// The fast decoder itself (no fallback). Throws `JSONParseError` or `WireDecodingError`.
    static func decodeFast(bytes: [UInt8]) throws -> PullPage {
        try bytes.withUnsafeBytes { raw throws -> PullPage in
            var reader = try JSONStreamReader(raw)
            let kind = try reader.peekKind()
            guard kind == .object else {
                _ = try reader.readValue()
                try reader.finish()
                throw WireDecodingError(path: "$", reason: "expected an object, got \(kind.typeName)")
            }
            try reader.beginObject()
            var records: [Record] = []
            var ranges: [Range<Int>] = []
            var cursor: String?
            var hasMore: Bool?
            var seen: UInt8 = 0
            var unknown: [String] = []
            var keyOffset = 0
            while let key = try reader.nextKey(keyOffset: &keyOffset) {
                let bit: UInt8
                switch key {
                case "records": bit = 1
                case "cursor": bit = 2
                case "hasMore": bit = 4
                default:
                    if unknown.contains(key) { throw reader.duplicateKey(key, at: keyOffset) }
                    unknown.append(key)
                    try reader.skipValue()
                    continue
                }
                if seen & bit != 0 { throw reader.duplicateKey(key, at: keyOffset) }
                seen |= bit
                let kind = try reader.peekKind()
                switch bit {
                case 1:
                    guard kind == .array else {
                        _ = try reader.readValue()
                        throw WireDecodingError(path: "$.records", reason: "expected an array, got \(kind.typeName)")
                    }
                    try reader.beginArray()
                    records.reserveCapacity(SyncProtocol.maxPageRecords)
                    ranges.reserveCapacity(SyncProtocol.maxPageRecords)
                    while try reader.nextElement() {
                        let start = reader.currentOffset
                        let index = records.count
                        records.append(try Record.decode(from: &reader, path: "$.records[\(index)]"))
                        ranges.append(start..<reader.currentOffset)
                    }
                case 2:
                    guard kind == .string else {
                        _ = try reader.readValue()
                        throw WireDecodingError(path: "$.cursor", reason: "expected a string, got \(kind.typeName)")
                    }
                    cursor = try reader.readString()
                default:
                    guard kind == .bool else {
                        _ = try reader.readValue()
                        throw WireDecodingError(path: "$.hasMore", reason: "expected true or false, got \(kind.typeName)")
                    }
                    hasMore = try reader.readBool()
                }
            }
            try reader.finish()
            guard seen & 1 != 0 else { throw WireDecodingError(path: "$.records", reason: "is required") }
            guard let cursor else { throw WireDecodingError(path: "$.cursor", reason: "is required") }
            guard let hasMore else { throw WireDecodingError(path: "$.hasMore", reason: "is required") }
            if !unknown.isEmpty { throw WireDecodingError(path: "$.\(unknown.min()!)", reason: "is not a known field") }
            var page = PullPage(records: records, cursor: cursor, hasMore: hasMore)
            page.receivedBytes = ranges.map { bytes[$0] }
            return page
        }
    }
}

extension PushRequest {
    /// Decodes a push body straight from its bytes, without building a ``JSONValue`` tree.
    ///
    /// Accepts and refuses exactly what `PushRequest(json: JSONValue.parse(bytes))` does and
    /// throws the same error (`JSONParseError` or `WireDecodingError`): when the fast path
    /// refuses a body, the reference decoder is run to word the error.
    public static func decode(bytes: [UInt8]) throws -> PushRequest {
        do {
            return try decodeFast(bytes: bytes)
        } catch let error as WireDecodingError where error.isLimitExceeded {
            throw error  // a record over a limit of SPEC §14, reported as met
        } catch {
            return try PushRequest(json: JSONValue.parse(bytes))
        }
    }

    /// The fast decoder itself (no fallback; its errors are not worded for users).
    static func decodeFast(bytes: [UInt8]) throws -> PushRequest {
        try bytes.withUnsafeBytes { raw throws -> PushRequest in
            var reader = try JSONStreamReader(raw)
            guard try reader.peekKind() == .object else { throw WireDecodingError(path: "$", reason: "expected an object") }
            try reader.beginObject()
            var members: [String: JSONValue] = [:]
            var records: [Record]?
            var keyOffset = 0
            while let key = try reader.nextKey(keyOffset: &keyOffset) {
                switch key {
                case "records" where records == nil:
                    guard try reader.peekKind() == .array else { throw WireDecodingError(path: "$.records", reason: "expected an array") }
                    try reader.beginArray()
                    var items: [Record] = []
                    var ids = Set<RecordID>()
                    while try reader.nextElement() {
                        guard items.count < SyncProtocol.maxBatchRecords else {
                            throw WireDecodingError(path: "$.records", reason: "too many records")
                        }
                        let record = try Record.decode(from: &reader, path: "$.records[\(items.count)]")
                        guard ids.insert(record.id).inserted else { throw WireDecodingError(path: "$.records", reason: "duplicate id") }
                        items.append(record)
                    }
                    records = items
                case _ where PushRequest.members.contains(key) && members[key] == nil:
                    members[key] = try reader.readValue()
                default:
                    throw WireDecodingError(path: "$.\(key)", reason: "unexpected member")
                }
            }
            try reader.finish()
            guard let records else { throw WireDecodingError(path: "$", reason: "incomplete") }
            var headerReader = try ObjectReader(.object(members), path: "$")
            let header = try PushRequest.Header(reader: &headerReader)
            return PushRequest(header, records: records)
        }
    }
}
