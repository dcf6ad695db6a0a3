import OutpostTerminal
import Testing
import OutpostClient
@testable import OutpostCLI

/// Terminal display width: tables line up with Chinese, mixed and emoji text.
@Suite("Display width and tables that line up")
struct DisplayWidthTests {
    @Test(arguments: [
        ("Acme", 4),
        ("北京华联", 8),                       // East Asian Wide: two columns each
        ("C-1 北京", 8),                       // mixed
        ("ＡＢＣ", 6),                          // Fullwidth forms
        ("한국", 4),                            // Hangul syllables
        ("e\u{301}", 1),                       // e + combining acute: one column
        ("Cafe\u{301} 咖啡", 9),
        ("👍", 2),                              // emoji presentation
        ("👍🏽", 2),                             // with a skin tone modifier
        ("👩‍💻", 2),                             // ZWJ sequence: one picture
        ("🇨🇳", 2),                             // flag (regional indicator pair)
        ("❤️", 2),                              // text-default heart with VS16: emoji presentation
        ("❤", 1),                              // the same heart without VS16 stays text
        ("a\u{200B}b", 2),                     // zero-width space takes nothing
        ("…", 1),
    ])
    func widthCountsTerminalColumns(text: String, columns: Int) {
        #expect(DisplayWidth.of(text) == columns, "\(text)")
    }

    @Test func truncationCutsWholeCharactersToTheWidthAndMarksTheCut() {
        #expect(DisplayWidth.truncate("北京华联商厦有限公司", to: 9) == "北京华联…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("北京华联商厦有限公司", to: 9)) == 9)
        // A wide character that would straddle the edge is left out, not split.
        #expect(DisplayWidth.truncate("北京华联商厦", to: 8) == "北京华…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("北京华联商厦", to: 8)) == 7)
        // Grapheme clusters stay whole: the family emoji is never cut between its scalars.
        let family = "👨‍👩‍👧 family"
        let cut = DisplayWidth.truncate(family, to: 3)
        #expect(cut == "👨‍👩‍👧…")
        #expect(DisplayWidth.truncate("Cafe\u{301}s and more", to: 5) == "Cafe\u{301}…")
        #expect(DisplayWidth.truncate("short", to: 40) == "short")
        #expect(DisplayWidth.truncate("line\nbreak", to: 40) == "line break")
    }

    @Test func padFillsToDisplayColumns() {
        #expect(DisplayWidth.pad("北京", to: 6) == "北京  ")
        #expect(DisplayWidth.pad("Acme", to: 6) == "Acme  ")
        #expect(DisplayWidth.pad("北京华联", to: 6) == "北京华联")
    }

    /// The display column where each cell of `line` starts (cells are separated by two or more spaces).
    static func cellStarts(_ line: Substring) -> [Int] {
        var starts: [Int] = []
        var offset = 0, spaces = 0
        for character in line {
            if character == " " {
                spaces += 1
            } else {
                if starts.isEmpty || spaces >= 2 { starts.append(offset) }
                spaces = 0
            }
            offset += DisplayWidth.of(character)
        }
        return starts
    }

    @Test func tableColumnsLineUpWithChineseMixedAndEmojiNames() {
        let table = TextTable(columns: ["代码", "名称", "级别", "备注"], rows: [
            ["C-1", "北京华联", "core", "有冲突"],
            ["C-2", "Acme 贸易 🚚", "important", ""],
            ["C-3", "Cafe\u{301} Paris", "general", "已删除"],
            ["C-4", "👩‍💻 Studio", "core", ""],
        ]).rendered()
        let lines = table.split(separator: "\n").map(Self.cellStarts)
        for column in 1...2 {
            let starts = lines.map { $0.count > column ? $0[column] : -1 }
            #expect(Set(starts).count == 1, "column \(column) starts at \(starts):\n\(table)")
        }
    }

    @Test func longCellsAreCutAtTheMaximumDisplayWidth() {
        let name = String(repeating: "华", count: 30)
        let table = TextTable(columns: ["NAME", "TIER"], rows: [[name, "core"]], maxColumnWidth: 10).rendered()
        let row = table.split(separator: "\n")[1]
        #expect(row.hasPrefix("华华华华…  core"), "\(table)")
    }
}
