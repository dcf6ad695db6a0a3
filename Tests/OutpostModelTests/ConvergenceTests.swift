import Testing
import OutpostJSON
@testable import OutpostModel

/// Randomized schedules of edits, deletes, restores, resolutions and partial, duplicated,
/// reordered exchanges between replicas. Each failure names its seed so it can be replayed.
@Suite("Convergence and no lost write (randomized)")
struct ConvergenceTests {
    static let fieldNames = ["name", "tier", "notes", "owner", "status", "industry"]
    static let schedules = 10_000

    struct Simulation {
        var rng: SeededGenerator
        var replicas: [Record]
        let nodes: [NodeID]
        var clocks: [HybridClock]
        /// Every dot ever written per field, and the dots some writer saw and overwrote.
        var written: [String: Set<Dot>] = [:]
        var superseded: [String: Set<Dot>] = [:]
        var wall: Int64 = 1_000
        /// Deletes copy the whole clock into `seen`, as before the compact delete (SPEC §4.3).
        var deletesSeeWholeClock = false

        init(seed: UInt64) {
            rng = SeededGenerator(seed: seed)
            let count = Int.random(in: 3...5, using: &rng)
            nodes = (0..<count).map { NodeID(unchecked: "n\($0)") }
            clocks = Array(repeating: HybridClock(), count: count)
            let origin = Record.create(id: fixedID, type: .customer, branch: "BJ",
                                       fields: ["name": "start", "tier": "core"], node: nodes[0], at: ts(1))
            written["name"] = [Dot(node: nodes[0], counter: 1)]
            written["tier"] = [Dot(node: nodes[0], counter: 1)]
            replicas = Array(repeating: origin, count: count)
        }

        mutating func stamp(_ replica: Int) -> HybridTimestamp {
            // Wall clocks jump around, even backwards: correctness must not depend on them.
            wall += Int64.random(in: -5...10, using: &rng)
            return clocks[replica].now(wallMillis: wall)
        }

        mutating func step() throws {
            let replica = Int.random(in: 0..<replicas.count, using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<45:
                guard !replicas[replica].isDeleted else { return }
                var values: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let field = ConvergenceTests.fieldNames.randomElement(using: &rng)!
                    values[field] = .string("v\(Int.random(in: 0..<1000, using: &rng))")
                }
                for field in values.keys {
                    superseded[field, default: []].formUnion(replicas[replica].fields[field]?.siblings.map(\.dot) ?? [])
                }
                let at = stamp(replica)
                try replicas[replica].write(values, node: nodes[replica], at: at)
                let dot = Dot(node: nodes[replica], counter: replicas[replica].clock[nodes[replica]])
                for field in values.keys { written[field, default: []].insert(dot) }
            case 45..<50:
                let at = stamp(replica)
                try replicas[replica].delete(node: nodes[replica], at: at, seeingWholeClock: deletesSeeWholeClock)
            case 50..<53:
                let at = stamp(replica)
                try replicas[replica].restore(node: nodes[replica], at: at)
            default:
                // Exchange: a one-way merge, sometimes repeated (duplicate delivery / retry).
                let source = Int.random(in: 0..<replicas.count, using: &rng)
                let incoming = replicas[source]
                replicas[replica] = try replicas[replica].merged(with: incoming)
                if Bool.random(using: &rng) { replicas[replica] = try replicas[replica].merged(with: incoming) }
                for sibling in incoming.fields.values.flatMap(\.siblings) { clocks[replica].observe(sibling.timestamp, wallMillis: wall) }
            }
        }

        /// Full exchange in a random order until every replica has every other's state.
        mutating func exchangeAll() throws {
            let order = (0..<replicas.count).shuffled(using: &rng)
            var everything = replicas[order[0]]
            for index in order.dropFirst() { everything = try everything.merged(with: replicas[index]) }
            for index in (0..<replicas.count).shuffled(using: &rng) {
                replicas[index] = try replicas[index].merged(with: everything)
            }
        }
    }

    @Test func randomSchedulesConvergeAndLoseNoWrite() throws {
        for schedule in 0..<Self.schedules {
            let seed = UInt64(schedule) &* 0x2545_F491_4F6C_DD1D &+ 17
            var simulation = Simulation(seed: seed)
            let steps = Int.random(in: 5...40, using: &simulation.rng)
            for _ in 0..<steps { try simulation.step() }
            try simulation.exchangeAll()
            let first = simulation.replicas[0]
            for (index, replica) in simulation.replicas.enumerated() where replica != first {
                Issue.record("seed \(seed): replica \(index) differs from replica 0 after full exchange")
                return
            }
            // No lost write: the surviving values of a field are exactly the writes nobody overwrote.
            for field in Self.fieldNames {
                let expected = (simulation.written[field] ?? []).subtracting(simulation.superseded[field] ?? [])
                let actual = Set(first.fields[field]?.siblings.map(\.dot) ?? [])
                if expected != actual {
                    Issue.record("seed \(seed): field \(field) holds \(actual.sorted()) but unsuperseded writes are \(expected.sorted())")
                    return
                }
            }
        }
    }

    @Test func mergeIsCommutativeAssociativeAndIdempotentOnRandomStates() throws {
        for schedule in 0..<2_000 {
            let seed = UInt64(schedule) &+ 99_000
            var simulation = Simulation(seed: seed)
            for _ in 0..<Int.random(in: 5...30, using: &simulation.rng) { try simulation.step() }
            let picks = (0..<3).map { _ in simulation.replicas.randomElement(using: &simulation.rng)! }
            let (a, b, c) = (picks[0], picks[1], picks[2])
            let ab = try a.merged(with: b)
            #expect(ab == (try b.merged(with: a)), "commutativity, seed \(seed)")
            #expect(try ab.merged(with: c) == (try a.merged(with: try b.merged(with: c))), "associativity, seed \(seed)")
            #expect(try a.merged(with: a) == a, "idempotence, seed \(seed)")
            #expect(try ab.merged(with: b) == ab, "absorption, seed \(seed)")
            if a.clock.dominates(b.clock) {
                #expect(ab == a, "a dominating version wins, seed \(seed)")
            }
        }
    }
}
