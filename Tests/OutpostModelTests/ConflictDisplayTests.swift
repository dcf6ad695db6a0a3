import Testing
import OutpostJSON
@testable import OutpostModel

/// Conflicts people can read (SPEC §5): equal values show as one, and the §4.4 precedence key.
@Suite("Conflict display and sibling precedence")
struct ConflictDisplayTests {
    @Test func equalValuedSiblingsAreNotAConflict() throws {
        let base = newCustomer()
        var left = base
        var right = base
        // Two devices resolve the same way, concurrently.
        try left.write(["tier": "important"], node: .a, at: ts(5))
        try right.write(["tier": "important"], node: .b, at: ts(6))
        let merged = try left.merged(with: right)
        #expect(merged.fields["tier"]?.siblings.count == 2, "no lost write: both siblings are kept")
        #expect(merged.fields["tier"]?.isConflicted == false)
        #expect(merged.conflicts.isEmpty)
        #expect(!merged.hasConflicts)
        #expect(merged.value(of: "tier") == "important")
        #expect(RecordSummary(merged).hasConflicts == false)
    }

    @Test func valuesAreComparedByCanonicalJSON() throws {
        let clock = VectorClock([.a: 1, .b: 1])
        func record(_ x: JSONValue, _ y: JSONValue) -> Record {
            Record(id: fixedID, type: .customer, branch: "BJ", clock: clock, fields: ["phones": Register(siblings: [
                Sibling(dot: Dot(node: .a, counter: 1), timestamp: ts(1), value: x),
                Sibling(dot: Dot(node: .b, counter: 1), timestamp: ts(2), value: y),
            ])])
        }
        #expect(!record(["k": 1, "j": [nil, true]], ["j": [nil, true], "k": 1]).hasConflicts)
        #expect(record(3, 3.0).hasConflicts, "3 and 3.0 are written differently")
        #expect(record(nil, "").hasConflicts)
        #expect(!record(nil, nil).hasConflicts)
    }

    @Test func conflictListsEachDistinctValueOnceByItsHighestSibling() throws {
        let clock = VectorClock([.a: 1, .b: 1, .c: 1])
        let x1 = Sibling<JSONValue>(dot: Dot(node: .a, counter: 1), timestamp: ts(5), value: "X")
        let y = Sibling<JSONValue>(dot: Dot(node: .b, counter: 1), timestamp: ts(6), value: "Y")
        let x2 = Sibling<JSONValue>(dot: Dot(node: .c, counter: 1), timestamp: ts(7), value: "X")
        let record = Record(id: fixedID, type: .customer, branch: "BJ", clock: clock,
                            fields: ["tier": Register(siblings: [x1, y, x2]), "name": Register(siblings: [x1, x2])])
        #expect(record.conflicts == [.field(name: "tier", siblings: [x2, y])])
        #expect(record.fields["tier"]?.distinctValues == [x2, y])
        #expect(record.fields["name"]?.distinctValues == [x2])
        #expect(record.fields["tier"]?.siblings.count == 3)
    }

    @Test func deleteRacedEditRuleIsUnchangedByValueEquality() throws {
        // An edit the deleter had not seen is a conflict even when it wrote the value already there.
        let base = newCustomer()
        var deleter = base
        var editor = base
        try deleter.delete(node: .a, at: ts(5))
        try editor.write(["tier": "core"], node: .b, at: ts(4))
        let merged = try deleter.merged(with: editor)
        #expect(merged.conflicts == [.deleteRacedEdit(editedFields: ["tier"], deleteTimestamp: ts(5))])
    }

    @Test func fieldConflictsAreOrderedByNameBytes() throws {
        let clock = VectorClock([.a: 1, .b: 1])
        func two() -> Register<JSONValue> {
            Register(siblings: [Sibling(dot: Dot(node: .a, counter: 1), timestamp: ts(1), value: "1"),
                                Sibling(dot: Dot(node: .b, counter: 1), timestamp: ts(1), value: "2")])
        }
        let record = Record(id: fixedID, type: .customer, branch: "BJ", clock: clock,
                            fields: ["name": two(), "Zone": two(), "ämter": two()])
        let names = record.conflicts.compactMap { conflict -> String? in
            if case .field(let name, _) = conflict { return name }
            return nil
        }
        #expect(names == ["Zone", "name", "ämter"])
    }

    @Test func siblingPrecedenceOrdersByTimeThenNodeBytesThenCounter() {
        func key(_ node: String, _ counter: UInt64, _ millis: Int64, _ logical: UInt32 = 0) -> SiblingPrecedence {
            SiblingPrecedence(timestamp: ts(millis, logical), dot: Dot(node: NodeID(unchecked: node), counter: counter))
        }
        #expect(key("a", 1, 5) > key("b", 9, 4))
        #expect(key("a", 1, 5, 1) > key("b", 9, 5, 0))
        #expect(key("alpha", 1, 5) > key("Zulu", 9, 5), "node ids compare bytewise: 'a' > 'Z'")
        #expect(key("a", 3, 5) > key("a", 2, 5))
        #expect(key("a", 3, 5) == key("a", 3, 5))
        let sorted = [key("b", 1, 5), key("Zulu", 1, 5), key("a", 2, 6), key("a", 1, 5)].sorted()
        #expect(sorted == [key("Zulu", 1, 5), key("a", 1, 5), key("b", 1, 5), key("a", 2, 6)])
        let sibling = Sibling<JSONValue>(dot: Dot(node: .c, counter: 4), timestamp: ts(9, 2), value: nil)
        #expect(sibling.precedence == key("c", 4, 9, 2))
    }

    @Test func winnerIsTheGreatestPrecedence() {
        let siblings: [Sibling<JSONValue>] = [
            Sibling(dot: Dot(node: NodeID(unchecked: "Zulu"), counter: 1), timestamp: ts(7), value: "Z"),
            Sibling(dot: Dot(node: NodeID(unchecked: "alpha"), counter: 1), timestamp: ts(7), value: "a"),
            Sibling(dot: Dot(node: .b, counter: 1), timestamp: ts(6, 9), value: "b"),
        ]
        let register = Register(siblings: siblings)
        #expect(register.winner?.value == "a")
        #expect(register.siblingsByPrecedence.map(\.value) == ["a", "Z", "b"])
    }
}
