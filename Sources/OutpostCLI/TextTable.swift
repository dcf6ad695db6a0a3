/// Renders rows as an aligned plain-text table for terminal output.
///
/// ```swift
/// print(TextTable(columns: ["CODE", "NAME"], rows: [["C-1", "Acme"]]).rendered())
/// ```
struct TextTable {
    var columns: [String]
    var rows: [[String]]
    var maxColumnWidth = 40

    func rendered() -> String {
        let cells = rows.map { $0.map { Self.clip($0, maxColumnWidth) } }
        var widths = columns.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ values: [String]) -> String {
            var text = ""
            for (index, value) in values.enumerated() {
                let isLast = index == values.count - 1
                text += isLast ? value : value + String(repeating: " ", count: widths[index] - value.count + 2)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var output = [line(columns)]
        for row in cells { output.append(line(row)) }
        return output.joined(separator: "\n")
    }

    static func clip(_ text: String, _ width: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }
}
