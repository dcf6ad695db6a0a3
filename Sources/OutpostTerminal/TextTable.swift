/// Renders rows as an aligned plain-text table for terminal output. Widths are counted in
/// terminal columns (``DisplayWidth``), so Chinese names and emoji line up; cells wider than
/// `maxColumnWidth` columns are cut with `…` between characters.
///
/// ```swift
/// print(TextTable(columns: ["CODE", "NAME"], rows: [["C-1", "北京华联"]]).rendered())
/// ```
public struct TextTable: Sendable {
    /// The header cells.
    public var columns: [String]
    /// The body rows (cells beyond the header's count are printed unpadded).
    public var rows: [[String]]
    /// Cells wider than this many columns are cut with `…`.
    public var maxColumnWidth = 40

    /// Column widths so far: the headers' and those of rows given to ``measure(_:)``.
    private var measured: [Int]? = nil

    /// A table with a header and rows; `TextTable(columns: ["NAME"], rows: [["li"]])`.
    public init(columns: [String], rows: [[String]], maxColumnWidth: Int = 40) {
        self.columns = columns
        self.rows = rows
        self.maxColumnWidth = maxColumnWidth
    }

    /// Printable ASCII only: one column per byte, nothing to cut apart or flatten.
    private static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// ``DisplayWidth/of(_:)`` with a fast path for plain ASCII (most cells of a long list).
    public static func width(_ text: String) -> Int {
        isPlainASCII(text) ? text.utf8.count : DisplayWidth.of(text)
    }

    /// ``DisplayWidth/truncate(_:to:)`` with a fast path for plain ASCII.
    public static func truncate(_ text: String, to width: Int) -> String {
        if isPlainASCII(text) && text.utf8.count <= width { return text }
        return DisplayWidth.truncate(text, to: width)
    }

    /// ``DisplayWidth/pad(_:to:)`` with a fast path for plain ASCII.
    public static func pad(_ text: String, to width: Int) -> String {
        let missing = width - Self.width(text)
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }

    /// Widens the columns to fit `row` (for tables printed a row at a time with ``line(_:)``).
    public mutating func measure(_ row: [String]) {
        var widths = measured ?? columns.map { Self.width($0) }
        for (index, cell) in row.enumerated() where index < widths.count {
            widths[index] = max(widths[index], Self.width(Self.truncate(cell, to: maxColumnWidth)))
        }
        measured = widths
    }

    /// One line of the table (the header when given ``columns``) at the widths measured so far.
    public func line(_ row: [String]) -> String {
        let widths = measured ?? columns.map { Self.width($0) }
        var text = ""
        for (index, value) in row.enumerated() {
            let value = Self.truncate(value, to: maxColumnWidth)
            let isLast = index == row.count - 1
            text += isLast || index >= widths.count ? value : Self.pad(value, to: widths[index] + 2)
        }
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// The whole table, header first, lines joined by newlines (no trailing newline).
    public func rendered() -> String {
        let cells = rows.map { $0.map { DisplayWidth.truncate($0, to: maxColumnWidth) } }
        var widths = columns.map { DisplayWidth.of($0) }
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        func line(_ values: [String]) -> String {
            var text = ""
            for (index, value) in values.enumerated() {
                let isLast = index == values.count - 1
                text += isLast || index >= widths.count ? value : DisplayWidth.pad(value, to: widths[index] + 2)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var output = [line(columns)]
        for row in cells { output.append(line(row)) }
        return output.joined(separator: "\n")
    }
}
