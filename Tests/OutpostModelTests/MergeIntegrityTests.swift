import Testing
import OutpostJSON
@testable import OutpostModel

/// Merging honest and dishonest input: the general rule of SPEC §4.1/§4.2 for every pair of
/// versions, the canonical-bytes tie-break for reused dots, and their detection.
@Suite("Merge integrity (general rule, reused dots)")
struct MergeIntegrityTests {
    // MARK: An independent implementation of SPEC §4.1/§4.2, written for this test only

    /// The canonical JSON of a sibling's wire object, built as a `JSONValue` tree (independent of
    /// the direct writer the model uses).
    static func treeBytes(_ sibling: Sibling<JSONValue>) -> [UInt8] {
        JSONValue.object([
            "dot": .array([.string(sibling.dot.node.rawValue), .int(Int64(sibling.dot.counter))]),
            "hlc": .array([.int(sibling.timestamp.millis), .int(Int64(sibling.timestamp.logical))]),
            "value": sibling.value,
        ]).serializedBytes()
    }

    static func treeBytes(_ sibling: Sibling<Lifecycle>) -> [UInt8] {
        var object: [String: JSONValue] = [
            "dot": .array([.string(sibling.dot.node.rawValue), .int(Int64(sibling.dot.counter))]),
            "hlc": .array([.int(sibling.timestamp.millis), .int(Int64(sibling.timestamp.logical))]),
        ]
        switch sibling.value {
        case .deleted(let seen):
            object["deleted"] = true
            object["seen"] = seen.jsonValue
        case .restored:
            object["deleted"] = false
        }
        return JSONValue.object(object).serializedBytes()
    }

    static func referenceRegister<V>(
        _ left: [Sibling<V>], _ leftClock: VectorClock, _ right: [Sibling<V>], _ rightClock: VectorClock,
        bytes: (Sibling<V>) -> [UInt8]
    ) -> [Sibling<V>] {
        let l = Dictionary(uniqueKeysWithValues: left.map { ($0.dot, $0) })
        let r = Dictionary(uniqueKeysWithValues: right.map { ($0.dot, $0) })
        var out: [Sibling<V>] = []
        for dot in Set(l.keys).union(r.keys) {
            switch (l[dot], r[dot]) {
            case (let a?, let b?):
                out.append(bytes(b).lexicographicallyPrecedes(bytes(a)) ? b : a)
            case (let a?, nil):
                if (rightClock.counters[dot.node] ?? 0) < dot.counter { out.append(a) }
            case (nil, let b?):
                if (leftClock.counters[dot.node] ?? 0) < dot.counter { out.append(b) }
            case (nil, nil):
                break
            }
        }
        return out
    }

    static func referenceMerge(_ left: Record, _ right: Record) -> Record {
        var fields: [String: Register<JSONValue>] = [:]
        for name in Set(left.fields.keys).union(right.fields.keys) {
            let siblings = referenceRegister(left.fields[name]?.siblings ?? [], left.clock,
                                             right.fields[name]?.siblings ?? [], right.clock, bytes: treeBytes)
            if !siblings.isEmpty { fields[name] = Register(siblings: siblings) }
        }
        let lifecycle = referenceRegister(left.lifecycle.siblings, left.clock, right.lifecycle.siblings, right.clock, bytes: treeBytes)
        var clock = [NodeID: UInt64]()
        for (node, counter) in left.clock.counters { clock[node] = counter }
        for (node, counter) in right.clock.counters where counter > clock[node] ?? 0 { clock[node] = counter }
        return Record(id: left.id, type: left.type, branch: left.branch, clock: VectorClock(clock),
                      fields: fields, lifecycle: Register(siblings: lifecycle))
    }

    // MARK: Random versions, honest or not

    static let nodes = ["a", "b", "c"].map { NodeID(unchecked: $0) }
    static let values: [JSONValue] = ["x", "y", 1, 1.5, nil, ["k": "v"]]

    /// A well-formed envelope (every dot covered by its clock, distinct dots per register) with
    /// arbitrary contents: stale siblings, and dots other versions hold with other contents.
    static func randomVersion(_ rng: inout SeededGenerator) -> Record {
        var counters: [NodeID: UInt64] = [:]
        for node in nodes { counters[node] = UInt64.random(in: 0...3, using: &rng) }
        let clock = VectorClock(counters)
        let dots = clock.counters.flatMap { entry in (1...entry.value).map { Dot(node: entry.key, counter: $0) } }
        func pick(_ count: Int) -> [Dot] { Array(dots.shuffled(using: &rng).prefix(count)) }
        var fields: [String: Register<JSONValue>] = [:]
        for name in ["name", "tier", "notes"] where !dots.isEmpty && Bool.random(using: &rng) {
            let siblings = pick(Int.random(in: 1...3, using: &rng)).map { dot in
                Sibling(dot: dot, timestamp: ts(Int64.random(in: 1...3, using: &rng)), value: values.randomElement(using: &rng)!)
            }
            fields[name] = Register(siblings: siblings)
        }
        var lifecycle: [Sibling<Lifecycle>] = []
        if !dots.isEmpty && Int.random(in: 0..<3, using: &rng) == 0 {
            for dot in pick(Int.random(in: 1...2, using: &rng)) {
                let value: Lifecycle = Bool.random(using: &rng)
                    ? .deleted(seen: VectorClock([dot.node: dot.counter]).merged(with: Bool.random(using: &rng) ? clock : VectorClock()))
                    : .restored
                lifecycle.append(Sibling(dot: dot, timestamp: ts(Int64.random(in: 1...3, using: &rng)), value: value))
            }
        }
        return Record(id: fixedID, type: .customer, branch: "BJ", clock: clock, fields: fields,
                      lifecycle: Register(siblings: lifecycle))
    }

    @Test func mergeEqualsTheGeneralRuleForRandomDishonestPairs() throws {
        var rng = SeededGenerator(seed: 2026)
        var dominating = 0
        var reused = 0
        for round in 0..<5_000 {
            let left = Self.randomVersion(&rng)
            let right = Bool.random(using: &rng) ? Self.randomVersion(&rng) : left
            let expected = Self.referenceMerge(left, right)
            let leftRight = try left.merged(with: right)
            let rightLeft = try right.merged(with: left)
            #expect(leftRight == expected, "round \(round): left ⊔ right\n left \(left.jsonValue.serialized())\n right \(right.jsonValue.serialized())\n got \(leftRight.jsonValue.serialized())\n want \(expected.jsonValue.serialized())")
            #expect(rightLeft == expected, "round \(round): right ⊔ left")
            if leftRight != expected || rightLeft != expected { return }
            if left.clock.compare(to: right.clock) != .concurrent && left != right { dominating += 1 }
            if left.reusedWrite(comparedWith: right) != nil { reused += 1 }
        }
        // The generator does reach the cases the old shortcuts got wrong.
        #expect(dominating > 500)
        #expect(reused > 500)
    }

    @Test func honestMergesAreUnchangedByTheGeneralRule() throws {
        // A dominating honest version still replaces the older one as is.
        var old = newCustomer()
        try old.write(["tier": "important"], node: .b, at: ts(2))
        var newer = old
        try newer.write(["name": "Acme Ltd", "tier": "general"], node: .a, at: ts(3))
        try newer.delete(node: .c, at: ts(4))
        #expect(try old.merged(with: newer) == newer)
        #expect(try newer.merged(with: old) == newer)
    }

    // MARK: The shortcut bug

    @Test func staleDeleteInsideADominatingVersionIsDropped() throws {
        // A manager deletes the customer, then restores it; the server holds the restore.
        let manager = NodeID(unchecked: "manager")
        let sales = NodeID(unchecked: "sales")
        var server = newCustomer()
        try server.delete(node: manager, at: ts(2))
        let deleted = server
        try server.restore(node: manager, at: ts(3))
        // A sales device re-sends the old delete inside a version whose clock covers everything
        // the server has seen (it claims the restore's dot but holds the delete).
        var clock = server.clock
        clock[sales] = 1
        var fields = deleted.fields
        fields["notes"] = Register(Sibling(dot: Dot(node: sales, counter: 1), timestamp: ts(4), value: "called"))
        let pushed = Record(id: fixedID, type: .customer, branch: "BJ", clock: clock, fields: fields, lifecycle: deleted.lifecycle)
        #expect(pushed.clock.compare(to: server.clock) == .after)

        for merged in [try server.merged(with: pushed), try pushed.merged(with: server)] {
            #expect(!merged.isDeleted, "the delete the server had overwritten must not come back")
            #expect(merged.lifecycle.isEmpty, "the delete (seen and dropped by the server) and the restore (seen and dropped by the sender) both go")
            #expect(merged.value(of: "notes") == "called")
            #expect(merged.clock == clock)
        }
    }

    @Test func staleFieldSiblingInsideADominatingVersionIsDropped() throws {
        var server = newCustomer()
        try server.write(["tier": "important"], node: .b, at: ts(2))
        // The pushed version's clock covers b:1 but it still holds the a:1 tier the server overwrote.
        var clock = server.clock
        clock[.c] = 1
        var fields = newCustomer().fields
        fields["notes"] = Register(Sibling(dot: Dot(node: .c, counter: 1), timestamp: ts(3), value: "n"))
        let pushed = Record(id: fixedID, type: .customer, branch: "BJ", clock: clock, fields: fields)
        let merged = try server.merged(with: pushed)
        #expect(merged == (try pushed.merged(with: server)))
        #expect(merged.fields["tier"] == nil, "a:1 was overwritten on the server, b:1 was dropped by the sender")
        #expect(merged.value(of: "notes") == "n")
    }

    // MARK: Same dot, different content

    static func version(tier siblings: [Sibling<JSONValue>], clock: VectorClock) -> Record {
        Record(id: fixedID, type: .customer, branch: "BJ", clock: clock, fields: ["tier": Register(siblings: siblings)])
    }

    @Test func sameDotWithDifferentContentKeepsTheCanonicallySmallerSibling() throws {
        let dot = Dot(node: .a, counter: 1)
        let clock = VectorClock([.a: 1])
        // Canonical bytes: {"dot":["a",1],"hlc":[1000,0],…} < {"dot":["a",1],"hlc":[2000,0],…}
        // although 2000 is the later time.
        let early = Sibling<JSONValue>(dot: dot, timestamp: ts(1000), value: "zeta")
        let late = Sibling<JSONValue>(dot: dot, timestamp: ts(2000), value: "alpha")
        let left = Self.version(tier: [late], clock: clock)
        let right = Self.version(tier: [early], clock: clock)
        #expect(try left.merged(with: right).fields["tier"]?.siblings == [early])
        #expect(try right.merged(with: left).fields["tier"]?.siblings == [early])
        // Same hlc: the value's bytes decide ("alpha" < "zeta"; the string 10 sorts before the integer 9 as `"` < `9`).
        let a = Sibling<JSONValue>(dot: dot, timestamp: ts(5), value: "alpha")
        let z = Sibling<JSONValue>(dot: dot, timestamp: ts(5), value: "zeta")
        #expect(try Self.version(tier: [z], clock: clock).merged(with: Self.version(tier: [a], clock: clock)).value(of: "tier") == "alpha")
        let text = Sibling<JSONValue>(dot: dot, timestamp: ts(5), value: "10")
        let number = Sibling<JSONValue>(dot: dot, timestamp: ts(5), value: 9)
        #expect(try Self.version(tier: [number], clock: clock).merged(with: Self.version(tier: [text], clock: clock)).value(of: "tier") == "10")
        #expect(try Self.version(tier: [text], clock: clock).merged(with: Self.version(tier: [number], clock: clock)).value(of: "tier") == "10")
    }

    @Test func negativeZeroIsNotTheSameContentAsZero() throws {
        // `==` takes 0.0 and -0.0 for equal; their canonical JSON differs ("-0.0" < "0.0").
        let dot = Dot(node: .a, counter: 1)
        let clock = VectorClock([.a: 1])
        let zero = Self.version(tier: [Sibling(dot: dot, timestamp: ts(1), value: .double(0.0))], clock: clock)
        let negative = Self.version(tier: [Sibling(dot: dot, timestamp: ts(1), value: .double(-0.0))], clock: clock)
        #expect(zero == negative)
        for merged in [try zero.merged(with: negative), try negative.merged(with: zero)] {
            guard case .double(let kept)? = merged.value(of: "tier") else {
                Issue.record("expected a double")
                continue
            }
            #expect(kept.sign == .minus)
        }
        #expect(zero.reusedWrite(comparedWith: negative) == ReusedWrite(place: .field("tier"), dot: dot))
        #expect(zero.reusedWrite(comparedWith: zero) == nil)
    }

    @Test func siblingCanonicalJSONIsTheWireObject() {
        let sibling = Sibling<JSONValue>(dot: Dot(node: .b, counter: 12), timestamp: ts(1700000000000, 3), value: ["z": 1, "a": "x\n"])
        #expect(String(decoding: sibling.canonicalJSON, as: UTF8.self) == #"{"dot":["b",12],"hlc":[1700000000000,3],"value":{"a":"x\n","z":1}}"#)
        #expect(sibling.canonicalJSON == Self.treeBytes(sibling))
        let delete = Sibling<Lifecycle>(dot: Dot(node: .a, counter: 2), timestamp: ts(7), value: .deleted(seen: VectorClock([.a: 2, .b: 1])))
        #expect(String(decoding: delete.canonicalJSON, as: UTF8.self) == #"{"deleted":true,"dot":["a",2],"hlc":[7,0],"seen":{"a":2,"b":1}}"#)
        #expect(delete.canonicalJSON == Self.treeBytes(delete))
    }

    @Test func reusedWriteIsReportedWhereItHappens() throws {
        var base = newCustomer()
        try base.write(["tier": "important"], node: .b, at: ts(2))
        #expect(base.reusedWrite(comparedWith: base) == nil)

        // Honest concurrent versions: nothing reused.
        var left = base
        var right = base
        try left.write(["name": "L"], node: .a, at: ts(3))
        try right.write(["name": "R"], node: .c, at: ts(3))
        #expect(left.reusedWrite(comparedWith: right) == nil)
        #expect(try left.merged(with: right).reusedWrite(comparedWith: left) == nil)

        // The same dot b:2 used for two different writes.
        var one = base
        var two = base
        try one.write(["notes": "first"], node: .b, at: ts(4))
        try two.write(["notes": "second"], node: .b, at: ts(4))
        #expect(one.reusedWrite(comparedWith: two) == ReusedWrite(place: .field("notes"), dot: Dot(node: .b, counter: 2)))
        #expect(two.reusedWrite(comparedWith: one) == ReusedWrite(place: .field("notes"), dot: Dot(node: .b, counter: 2)))

        // The same dot for a delete on one side and a restore on the other.
        var deleted = base
        var restored = base
        try deleted.delete(node: .c, at: ts(5))
        try restored.delete(node: .c, at: ts(5))
        try restored.restore(node: .a, at: ts(6))
        let forged = Record(id: fixedID, type: .customer, branch: "BJ", clock: deleted.clock, fields: deleted.fields,
                            lifecycle: Register(Sibling(dot: Dot(node: .c, counter: 1), timestamp: ts(5), value: .restored)))
        #expect(deleted.reusedWrite(comparedWith: forged) == ReusedWrite(place: .lifecycle, dot: Dot(node: .c, counter: 1)))
        #expect(deleted.reusedWrite(comparedWith: restored) == nil)

        // Equal clocks, different contents (a sibling dropped without a new write).
        let stripped = Record(id: fixedID, type: .customer, branch: "BJ", clock: base.clock,
                              fields: base.fields.filter { $0.key != "code" })
        let report = try #require(base.reusedWrite(comparedWith: stripped))
        #expect(report == ReusedWrite(place: .record, dot: nil))
        #expect(report.description.contains("same writes"))
    }
}
