import Testing
import OutpostJSON
@testable import OutpostModel

/// The compact delete (SPEC §4.3): `seen` restricted to the deleter and the writers of the held
/// field siblings decides every conflict exactly as the whole clock did, and still converges.
extension ConvergenceTests {
    /// The delete siblings' `seen` clocks of a version, in lifecycle order.
    static func seenClocks(_ record: Record) -> [VectorClock] {
        record.lifecycle.siblings.compactMap { if case .deleted(let seen) = $0.value { seen } else { nil } }
    }

    @Test func compactDeletesDecideEveryConflictLikeWholeClockDeletes() throws {
        for schedule in 0..<3_000 {
            let seed = UInt64(schedule) &* 0x9E37_79B9_7F4A_7C15 &+ 5
            var compact = Simulation(seed: seed)
            var whole = Simulation(seed: seed)
            whole.deletesSeeWholeClock = true
            let steps = Int.random(in: 5...40, using: &compact.rng)
            _ = Int.random(in: 5...40, using: &whole.rng)
            for step in 0..<steps {
                try compact.step()
                try whole.step()
                for (index, (c, w)) in zip(compact.replicas, whole.replicas).enumerated() {
                    // Same clocks, fields, deletedness and conflicts: only the deletes' seen differs.
                    guard c.clock == w.clock, c.fields == w.fields, c.isDeleted == w.isDeleted, c.conflicts == w.conflicts else {
                        Issue.record("seed \(seed) step \(step): replica \(index) decides differently with compact deletes")
                        return
                    }
                    for (small, full) in zip(Self.seenClocks(c), Self.seenClocks(w)) where !full.dominates(small) || small.counters.count > full.counters.count {
                        Issue.record("seed \(seed) step \(step): compact seen \(small) is not a restriction of \(full)")
                        return
                    }
                }
            }
            try compact.exchangeAll()
            let first = compact.replicas[0]
            guard compact.replicas.allSatisfy({ $0 == first }) else {
                Issue.record("seed \(seed): replicas with compact deletes do not converge")
                return
            }
        }
    }

    @Test func aDeleteAfterTwoHundredWritersKeepsASmallSeen() throws {
        var record = Record.create(id: fixedID, type: .customer, branch: "BJ", fields: ["name": "start", "tier": "core"],
                                   node: NodeID(unchecked: "n0"), at: ts(1))
        for writer in 1...200 {
            try record.write(["notes": .string("edit \(writer)")], node: NodeID(unchecked: "writer\(writer)"), at: ts(Int64(writer + 1)))
        }
        let deleter = NodeID(unchecked: "deleter")
        try record.delete(node: deleter, at: ts(500))
        let seen = try #require(Self.seenClocks(record).first)
        // n0 (name, tier), writer200 (notes) and the deleter: not the 201 writers of the clock.
        #expect(seen == VectorClock([NodeID(unchecked: "n0"): 1, NodeID(unchecked: "writer200"): 1, deleter: 1]))
        #expect(record.clock.counters.count == 202)
        // An edit the deleter had not seen still raises the delete-raced-edit conflict.
        var stale = Record.create(id: fixedID, type: .customer, branch: "BJ", fields: ["name": "start", "tier": "core"],
                                  node: NodeID(unchecked: "n0"), at: ts(1))
        try stale.write(["notes": "concurrent"], node: NodeID(unchecked: "late"), at: ts(600))
        let merged = try record.merged(with: stale)
        #expect(merged.isDeleted)
        #expect(merged.hasConflicts)
    }
}
