/// Fixed-width columns for terminal output: each column as wide as its widest cell, two spaces between.
package struct TextTable {
    package enum Alignment { case left, right }

    private let alignments: [Alignment]
    private var rows: [[String]]

    /// `header` is the first row; the first column is left-aligned and the rest right-aligned unless given.
    package init(header: [String], alignments: [Alignment]? = nil) {
        self.alignments = alignments ?? header.indices.map { $0 == 0 ? .left : .right }
        rows = [header]
    }

    /// A table without a header row.
    package init(alignments: [Alignment]) {
        self.alignments = alignments
        rows = []
    }

    package mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The lines, each prefixed with `indent` and without trailing spaces, every line ending in "\n".
    package func render(indent: String = "") -> String {
        let columnCount = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columnCount)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var out = ""
        for row in rows {
            var line = indent
            for index in 0..<columnCount {
                let cell = index < row.count ? row[index] : ""
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                let alignment = index < alignments.count ? alignments[index] : .right
                if index > 0 { line += "  " }
                line += alignment == .left ? cell + padding : padding + cell
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
