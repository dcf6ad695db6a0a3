import OutpostJSON
extension VectorClock {
    /// The wire form: an object from node id to counter, zero entries omitted (`{"a1":3,"b2":1}`).
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [:]
        object.reserveCapacity(counters.count)
        for (node, counter) in counters { object[node.rawValue] = .int(Int64(counter)) }
        return .object(object)
    }

    /// Reads the wire form.
    public init(json: JSONValue, path: String) throws(WireDecodingError) {
        guard case .object(let object) = json else {
            throw WireDecodingError(path: path, reason: "expected an object of node → counter, got \(json.typeName)")
        }
        guard object.count <= RecordLimits.maxClockEntries else { throw .clockTooLarge(path: path) }
        var counters: [NodeID: UInt64] = [:]
        counters.reserveCapacity(object.count)
        for (key, value) in object {
            guard NodeID.isValid(key) else { throw WireDecodingError(path: "\(path).\(key)", reason: "is not a valid node id") }
            guard case .int(let counter) = value, counter >= 0 else {
                throw WireDecodingError(path: "\(path).\(key)", reason: "expected a non-negative integer counter")
            }
            if counter > 0 { counters[NodeID(unchecked: key)] = UInt64(counter) }
        }
        self.init(counters)
    }
}

extension Dot {
    /// The wire form: `["node", counter]`.
    public var jsonValue: JSONValue { .array([.string(node.rawValue), .int(Int64(counter))]) }

    /// Reads the wire form.
    public init(json: JSONValue, path: String) throws(WireDecodingError) {
        guard case .array(let items) = json, items.count == 2, case .string(let node) = items[0],
            NodeID.isValid(node), case .int(let counter) = items[1], counter > 0
        else { throw WireDecodingError(path: path, reason: "expected [node id, positive counter]") }
        self.init(node: NodeID(unchecked: node), counter: UInt64(counter))
    }
}

extension HybridTimestamp {
    /// The wire form: `[millis, logical]`.
    public var jsonValue: JSONValue { .array([.int(millis), .int(Int64(logical))]) }

    /// Reads the wire form.
    public init(json: JSONValue, path: String) throws(WireDecodingError) {
        guard case .array(let items) = json, items.count == 2, case .int(let millis) = items[0],
            case .int(let logical) = items[1], logical >= 0, logical <= Int64(UInt32.max)
        else { throw WireDecodingError(path: path, reason: "expected [milliseconds, logical counter]") }
        if let problem = Self.rangeProblem(millis: millis) { throw WireDecodingError(path: path, reason: problem) }
        self.init(millis: millis, logical: UInt32(logical))
    }

    /// Why `millis` is refused on the wire (`nil` when within ``validMillis``, SPEC §2.5).
    static func rangeProblem(millis: Int64) -> String? {
        guard !validMillis.contains(millis) else { return nil }
        return "has the time \(millis) ms, outside the allowed 0…\(validMillis.upperBound) (1970 to the end of year 9999); the writing device's clock is wrong"
    }
}

extension Record {
    /// The envelope's wire and storage form (see `Protocol/SPEC.md`, "Record envelope").
    public var jsonValue: JSONValue {
        var fieldsObject: [String: JSONValue] = [:]
        fieldsObject.reserveCapacity(fields.count)
        for (name, register) in fields {
            fieldsObject[name] = .array(register.siblings.map { sibling in
                .object(["dot": sibling.dot.jsonValue, "hlc": sibling.timestamp.jsonValue, "value": sibling.value])
            })
        }
        var object: [String: JSONValue] = [
            "id": .string(id.rawValue),
            "type": .string(type.rawValue),
            "branch": .string(branch),
            "clock": clock.jsonValue,
            "fields": .object(fieldsObject),
        ]
        if !lifecycle.isEmpty {
            object["lifecycle"] = .array(lifecycle.siblings.map { sibling in
                switch sibling.value {
                case .deleted(let seen):
                    return .object(["dot": sibling.dot.jsonValue, "hlc": sibling.timestamp.jsonValue,
                                    "deleted": true, "seen": seen.jsonValue])
                case .restored:
                    return .object(["dot": sibling.dot.jsonValue, "hlc": sibling.timestamp.jsonValue, "deleted": false])
                }
            })
        }
        return .object(object)
    }

    /// Reads an envelope strictly: unknown members, malformed clocks and dots the clock does not
    /// cover are refused, and a delete's `seen` clock must cover its own write and stay within the
    /// record clock. Envelopes beyond the limits of ``RecordLimits`` (clock entries, fields,
    /// siblings) are refused with a ``WireDecodingError/Kind/limitExceeded`` error; the byte
    /// size is checked by ``checkLimits(path:)``. Field values are not checked against the entity schema here
    /// (see ``EntitySchema/validate(_:)-(Record)``).
    ///
    /// Error paths are only built when something is wrong, so decoding stays fast.
    public init(json: JSONValue, path: String = "$") throws(WireDecodingError) {
        guard case .object(let object) = json else {
            throw WireDecodingError(path: path, reason: "expected an object, got \(json.typeName)")
        }
        func fail(_ member: String, _ reason: String) -> WireDecodingError {
            WireDecodingError(path: "\(path).\(member)", reason: reason)
        }
        guard case .string(let idText)? = object["id"] else { throw fail("id", object["id"] == nil ? "is required" : "expected a string") }
        guard let normalized = RecordID.normalize(idText) else { throw fail("id", "is not a UUID") }
        guard case .string(let typeText)? = object["type"] else { throw fail("type", object["type"] == nil ? "is required" : "expected a string") }
        guard let type = EntityType(rawValue: typeText) else {
            let known = EntityType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("type", "'\(typeText)' is not one of \(known)")
        }
        guard case .string(let branch)? = object["branch"] else { throw fail("branch", object["branch"] == nil ? "is required" : "expected a string") }
        guard Branch.isValid(branch) else { throw fail("branch", "expected 1–32 letters, digits, '-' or '_'") }
        guard let clockValue = object["clock"] else { throw fail("clock", "is required") }
        let clock = try VectorClock(json: clockValue, path: "\(path).clock")
        guard case .object(let fieldsObject)? = object["fields"] else {
            throw fail("fields", object["fields"] == nil ? "is required" : "expected an object")
        }
        guard fieldsObject.count <= RecordLimits.maxFields else { throw .tooManyFields(path: "\(path).fields") }
        var fields: [String: Register<JSONValue>] = [:]
        fields.reserveCapacity(fieldsObject.count)
        for (name, value) in fieldsObject {
            guard case .array(let items) = value, !items.isEmpty else {
                throw fail("fields.\(name)", "expected a non-empty array of values")
            }
            guard items.count <= RecordLimits.maxSiblings else { throw .tooManySiblings(path: "\(path).fields.\(name)") }
            var siblings: [Sibling<JSONValue>] = []
            siblings.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                guard case .object(let member) = item, member.count == 3, let dotValue = member["dot"],
                    let hlcValue = member["hlc"], let fieldValue = member["value"]
                else {
                    throw fail("fields.\(name)[\(index)]", "expected {dot, hlc, value}")
                }
                let dot = try Dot(json: dotValue, path: "\(path).fields.\(name)[\(index)].dot")
                let timestamp = try HybridTimestamp(json: hlcValue, path: "\(path).fields.\(name)[\(index)].hlc")
                guard clock.covers(dot) else { throw fail("fields.\(name)[\(index)].dot", "is not covered by the record clock") }
                siblings.append(Sibling(dot: dot, timestamp: timestamp, value: fieldValue))
            }
            try Self.checkDistinctDots(siblings, path: "\(path).fields.\(name)")
            fields[name] = Register(siblings: siblings)
        }
        var lifecycle = Register<Lifecycle>()
        var members = 5
        if let lifecycleValue = object["lifecycle"] {
            members += 1
            lifecycle = try Self.decodeLifecycle(lifecycleValue, clock: clock, path: path)
        }
        if object.count > members {
            let known: Set<String> = ["id", "type", "branch", "clock", "fields", "lifecycle"]
            let unknown = object.keys.sorted().first { !known.contains($0) } ?? "?"
            throw fail(unknown, "is not a known field")
        }
        self.init(id: RecordID(unchecked: normalized), type: type, branch: branch, clock: clock,
                  fields: fields, lifecycle: lifecycle)
    }

    /// Reads the `lifecycle` member of an envelope whose clock is `clock` (`path` is the envelope's path).
    static func decodeLifecycle(_ lifecycleValue: JSONValue, clock: VectorClock, path: String) throws(WireDecodingError) -> Register<Lifecycle> {
        // The spec (§3) reads `null` like an absent lifecycle.
        if lifecycleValue.isNull { return Register() }
        guard case .array(let items) = lifecycleValue else {
            throw WireDecodingError(path: "\(path).lifecycle", reason: "expected an array")
        }
        guard items.count <= RecordLimits.maxSiblings else { throw .tooManySiblings(path: "\(path).lifecycle") }
        var siblings: [Sibling<Lifecycle>] = []
        for (index, item) in items.enumerated() {
            var siblingReader = try ObjectReader(item, path: "\(path).lifecycle[\(index)]")
            let dot = try Dot(json: siblingReader.value("dot"), path: siblingReader.path("dot"))
            let timestamp = try HybridTimestamp(json: siblingReader.value("hlc"), path: siblingReader.path("hlc"))
            let deleted = try siblingReader.bool("deleted")
            let value: Lifecycle
            if deleted {
                let seen = try VectorClock(json: siblingReader.value("seen"), path: siblingReader.path("seen"))
                guard seen.covers(dot), clock.dominates(seen) else {
                    throw WireDecodingError(path: siblingReader.path("seen"), reason: "must cover the delete itself and stay within the record clock")
                }
                value = .deleted(seen: seen)
            } else {
                value = .restored
            }
            try siblingReader.finish(known: ["dot", "hlc", "deleted", "seen"])
            guard clock.covers(dot) else {
                throw WireDecodingError(path: siblingReader.path("dot"), reason: "is not covered by the record clock")
            }
            siblings.append(Sibling(dot: dot, timestamp: timestamp, value: value))
        }
        try checkDistinctDots(siblings, path: "\(path).lifecycle")
        return Register(siblings: siblings)
    }

    static func checkDistinctDots<V>(_ siblings: [Sibling<V>], path: String) throws(WireDecodingError) {
        guard siblings.count > 1 else { return }
        var seen = Set<Dot>()
        for sibling in siblings where !seen.insert(sibling.dot).inserted {
            throw WireDecodingError(path: path, reason: "holds two values for the same write \(sibling.dot)")
        }
    }
}

/// Branch codes (region offices) such as `BJ` or `SH-2`.
public enum Branch {
    /// `true` when `code` is 1–32 letters, digits, `-` or `_`.
    public static func isValid(_ code: String) -> Bool {
        code.utf8.count <= 32 && NodeID.isValid(code)
    }
}
