import Testing
@testable import OutpostModel

/// A small deterministic random generator (SplitMix64) so failing schedules can be replayed from their seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension NodeID {
    static let a = NodeID(unchecked: "a")
    static let b = NodeID(unchecked: "b")
    static let c = NodeID(unchecked: "c")
}

let fixedID = RecordID(unchecked: "00000000-0000-4000-8000-000000000001")

func ts(_ millis: Int64, _ logical: UInt32 = 0) -> HybridTimestamp { HybridTimestamp(millis: millis, logical: logical) }

func newCustomer(node: NodeID = .a, at millis: Int64 = 1) -> Record {
    Record.create(id: fixedID, type: .customer, branch: "BJ",
                  fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"],
                  node: node, at: ts(millis))
}

/// A named JSON document given as raw bytes (so invalid UTF-8 can be expressed).
struct JSONCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]

    init(_ name: String, _ text: String) { (self.name, self.bytes) = (name, Array(text.utf8)) }
    init(_ name: String, bytes: [UInt8]) { (self.name, self.bytes) = (name, bytes) }

    var testDescription: String { name }
}
