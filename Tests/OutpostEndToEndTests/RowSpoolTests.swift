import Testing
@testable import OutpostCLI

/// The spool a long table's formatted rows wait in between measuring and printing.
@Suite("Row spool")
struct RowSpoolTests {
    static let rows: [[String]] = (0..<5_000).map { index in
        ["C-\(index)", index % 7 == 0 ? "" : "北京华联 \(index) 有限公司", "line\nbreak\u{1F}\u{1E}\t\(index)", "🙂", String(repeating: "x", count: index % 300)]
    } + [[], [""], [String(repeating: "长", count: 400_000)]]

    @Test(arguments: [64, 4 << 20])
    func rowsComeBackAsAddedWhetherKeptInMemoryOrInTheTemporaryFile(_ memoryLimit: Int) throws {
        let spool = RowSpool(memoryLimit: memoryLimit)
        for row in Self.rows { try spool.append(row) }
        var read: [[String]] = []
        try spool.forEach { read.append($0) }
        #expect(read == Self.rows)
        // A second reading gives the same rows.
        var again = 0
        try spool.forEach { row in
            #expect(row == Self.rows[again])
            again += 1
        }
        #expect(again == Self.rows.count)
    }
}
