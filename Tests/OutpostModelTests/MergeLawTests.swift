import Testing
@testable import OutpostModel

@Suite("Merge laws")
struct MergeLawTests {
    @Test func concurrentEditsToDifferentFieldsMergeWithoutConflict() throws {
        let base = newCustomer()
        var left = base
        var right = base
        try left.write(["name": "Acme Ltd"], node: .a, at: ts(2))
        try right.write(["tier": "important"], node: .b, at: ts(3))
        let merged = try left.merged(with: right)
        #expect(merged.value(of: "name") == "Acme Ltd")
        #expect(merged.value(of: "tier") == "important")
        #expect(merged.conflicts.isEmpty)
        #expect(merged == (try right.merged(with: left)))
    }

    @Test func concurrentEditsToSameFieldKeepBothSiblingsWithDeterministicWinner() throws {
        let base = newCustomer()
        var left = base
        var right = base
        try left.write(["name": "Left"], node: .a, at: ts(5))
        try right.write(["name": "Right"], node: .b, at: ts(4))
        let merged = try left.merged(with: right)
        #expect(merged == (try right.merged(with: left)))
        #expect(merged.fields["name"]?.siblings.count == 2)
        #expect(merged.value(of: "name") == "Left", "the later hybrid timestamp wins provisionally")
        guard case .field(let name, let siblings) = merged.conflicts.first else {
            Issue.record("expected a field conflict"); return
        }
        #expect(name == "name")
        #expect(siblings.map(\.value) == ["Left", "Right"])
    }

    @Test func tieOnTimestampIsBrokenByNodeID() throws {
        let base = newCustomer()
        var left = base
        var right = base
        try left.write(["name": "From a"], node: .a, at: ts(7))
        try right.write(["name": "From b"], node: .b, at: ts(7))
        #expect(try left.merged(with: right).value(of: "name") == "From b")
        #expect(try right.merged(with: left).value(of: "name") == "From b")
    }

    @Test func writeThatHasSeenSiblingsResolvesConflict() throws {
        let base = newCustomer()
        var left = base
        var right = base
        try left.write(["name": "Left"], node: .a, at: ts(5))
        try right.write(["name": "Right"], node: .b, at: ts(6))
        var merged = try left.merged(with: right)
        try merged.resolve(field: "name", with: "Agreed", node: .c, at: ts(7))
        #expect(merged.conflicts.isEmpty)
        // Spreading the resolution replaces both siblings everywhere.
        #expect(try left.merged(with: merged).value(of: "name") == "Agreed")
        #expect(try merged.merged(with: right).fields["name"]?.siblings.count == 1)
    }

    @Test func dominatingVersionReplacesOlderWithoutConflict() throws {
        let old = newCustomer()
        var newer = old
        try newer.write(["name": "New"], node: .b, at: ts(2))
        try newer.write(["name": "Newer", "tier": "general"], node: .a, at: ts(3))
        #expect(newer.clock.compare(to: old.clock) == .after)
        #expect(try old.merged(with: newer) == newer)
        #expect(try newer.merged(with: old) == newer)
        #expect(newer.conflicts.isEmpty)
    }

    @Test func mergingTwiceChangesNothing() throws {
        var left = newCustomer()
        var right = left
        try left.write(["name": "L"], node: .a, at: ts(2))
        try right.write(["name": "R"], node: .b, at: ts(2))
        let once = try left.merged(with: right)
        #expect(try once.merged(with: right) == once)
        #expect(try once.merged(with: left) == once)
        #expect(try once.merged(with: once) == once)
    }

    @Test func deleteRacingAnEditKeepsTheEditAndFlagsConflict() throws {
        let base = newCustomer()
        var deleter = base
        var editor = base
        try deleter.delete(node: .a, at: ts(5))
        try editor.write(["notes": "called today"], node: .b, at: ts(4))
        let merged = try deleter.merged(with: editor)
        #expect(merged == (try editor.merged(with: deleter)))
        #expect(merged.isDeleted)
        #expect(merged.value(of: "notes") == "called today")
        #expect(merged.conflicts == [.deleteRacedEdit(editedFields: ["notes"], deleteTimestamp: ts(5))])
    }

    @Test func deleteAfterSeeingEditsIsNotAConflict() throws {
        var record = newCustomer()
        try record.write(["notes": "x"], node: .b, at: ts(2))
        try record.delete(node: .a, at: ts(3))
        #expect(record.isDeleted)
        #expect(record.conflicts.isEmpty)
    }

    @Test func restoreResolvesDeleteConflict() throws {
        let base = newCustomer()
        var deleter = base
        var editor = base
        try deleter.delete(node: .a, at: ts(5))
        try editor.write(["notes": "keep me"], node: .b, at: ts(4))
        var merged = try deleter.merged(with: editor)
        try merged.restore(node: .c, at: ts(6))
        #expect(!merged.isDeleted)
        #expect(merged.conflicts.isEmpty)
        #expect(merged.value(of: "notes") == "keep me")
        #expect(try deleter.merged(with: merged) == merged)
    }

    @Test func editingADeletedRecordIsRefused() throws {
        var record = newCustomer()
        try record.delete(node: .a, at: ts(2))
        #expect(throws: ModelError.recordDeleted(recordID: fixedID.rawValue)) {
            try record.write(["name": "x"], node: .a, at: ts(3))
        }
    }

    @Test func mergingDifferentBranchesIsRefused() throws {
        let left = newCustomer()
        let right = Record.create(id: fixedID, type: .customer, branch: "SH", fields: [:], node: .b, at: ts(1))
        #expect(throws: ModelError.self) { try left.merged(with: right) }
    }
}
