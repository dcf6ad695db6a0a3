import OutpostJSON
extension Record {
    /// The envelope's canonical JSON bytes, written directly (no intermediate ``JSONValue`` tree).
    ///
    /// Byte-for-byte equal to `jsonValue.serializedBytes()`: members sorted by their UTF-8 bytes,
    /// no whitespace. Used on every hot path that stores or sends envelopes.
    ///
    /// ```swift
    /// let bytes = record.canonicalJSON()
    /// ```
    public func canonicalJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + fields.count * 96)
        appendCanonicalJSON(to: &out)
        return out
    }

    /// Appends the envelope's canonical JSON to `out` (see ``canonicalJSON()``).
    public func appendCanonicalJSON(to out: inout [UInt8]) {
        // Members in byte order: branch, clock, fields, id, lifecycle, type.
        out.append(contentsOf: #"{"branch":"#.utf8)
        _JSONWriter.writeString(branch, into: &out)
        out.append(contentsOf: #","clock":"#.utf8)
        Self.appendClock(clock, to: &out)
        out.append(contentsOf: #","fields":{"#.utf8)
        let names = fields.count > 1 ? fields.keys.sorted(by: _JSONWriter.utf8Less) : Array(fields.keys)
        for (index, name) in names.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            _JSONWriter.writeString(name, into: &out)
            out.append(contentsOf: ":[".utf8)
            for (siblingIndex, sibling) in fields[name]!.siblings.enumerated() {
                if siblingIndex > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"dot":"#.utf8)
                Self.appendDot(sibling.dot, to: &out)
                out.append(contentsOf: #","hlc":"#.utf8)
                Self.appendTimestamp(sibling.timestamp, to: &out)
                out.append(contentsOf: #","value":"#.utf8)
                _JSONWriter.write(sibling.value, into: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: #"},"id":"#.utf8)
        _JSONWriter.writeString(id.rawValue, into: &out)
        if !lifecycle.isEmpty {
            out.append(contentsOf: #","lifecycle":["#.utf8)
            for (index, sibling) in lifecycle.siblings.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                switch sibling.value {
                case .deleted(let seen):
                    out.append(contentsOf: #"{"deleted":true,"dot":"#.utf8)
                    Self.appendDot(sibling.dot, to: &out)
                    out.append(contentsOf: #","hlc":"#.utf8)
                    Self.appendTimestamp(sibling.timestamp, to: &out)
                    out.append(contentsOf: #","seen":"#.utf8)
                    Self.appendClock(seen, to: &out)
                case .restored:
                    out.append(contentsOf: #"{"deleted":false,"dot":"#.utf8)
                    Self.appendDot(sibling.dot, to: &out)
                    out.append(contentsOf: #","hlc":"#.utf8)
                    Self.appendTimestamp(sibling.timestamp, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: #","type":"#.utf8)
        _JSONWriter.writeString(type.rawValue, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    static func appendClock(_ clock: VectorClock, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        let entries = clock.counters.count > 1
            ? clock.counters.sorted { _JSONWriter.utf8Less($0.key.rawValue, $1.key.rawValue) }
            : Array(clock.counters)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            _JSONWriter.writeString(entry.key.rawValue, into: &out)
            out.append(UInt8(ascii: ":"))
            _JSONWriter.writeInt(Int64(entry.value), into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func appendDot(_ dot: Dot, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        _JSONWriter.writeString(dot.node.rawValue, into: &out)
        out.append(UInt8(ascii: ","))
        _JSONWriter.writeInt(Int64(dot.counter), into: &out)
        out.append(UInt8(ascii: "]"))
    }

    static func appendTimestamp(_ timestamp: HybridTimestamp, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        _JSONWriter.writeInt(timestamp.millis, into: &out)
        out.append(UInt8(ascii: ","))
        _JSONWriter.writeInt(Int64(timestamp.logical), into: &out)
        out.append(UInt8(ascii: "]"))
    }
}

extension PushRequest {
    /// The request body's canonical JSON bytes, written directly (equal to `jsonValue.serializedBytes()`).
    public func canonicalJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + records.count * 1024)
        // Members in bytewise key order: after, batch, node, records, recoveringFrom, relay.
        out.append(UInt8(ascii: "{"))
        if let after {
            out.append(contentsOf: #""after":"#.utf8)
            _JSONWriter.writeString(after.rawValue, into: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""batch":"#.utf8)
        _JSONWriter.writeString(batch.rawValue, into: &out)
        out.append(contentsOf: #","node":"#.utf8)
        _JSONWriter.writeString(node.rawValue, into: &out)
        out.append(contentsOf: #","records":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            record.appendCanonicalJSON(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if let recoveringFrom {
            out.append(contentsOf: #","recoveringFrom":"#.utf8)
            _JSONWriter.writeString(recoveringFrom, into: &out)
        }
        if relay { out.append(contentsOf: #","relay":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
