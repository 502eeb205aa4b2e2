import Foundation

/// Renders the rows as a fixed-width text table with notes underneath.
enum BenchTable {
    static func render(_ rows: [BenchRow]) -> String {
        let header = ["benchmark", "figure", "ws1011", "peer", "peer figure", "ratio", "goal", "met?"]
        var lines: [[String]] = [header]
        var notes: [String] = []
        for row in rows {
            var metNote = row.met.map { $0 ? "yes" : "NO" } ?? "n/a"
            if let note = row.note {
                notes.append(note)
                metNote += " [\(notes.count)]"
            }
            lines.append([
                row.benchmark, row.metric, format(row.value, row.unit), row.peer ?? "—",
                row.peer == nil ? "—" : format(row.peerValue, row.unit),
                row.ratio.map { String(format: "%.2f×", $0) } ?? "—", row.goal, metNote,
            ])
        }
        let widths = header.indices.map { i in lines.map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: " │ ")
        }
        var out = [line(lines[0]), widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")]
        out += lines.dropFirst().map(line)
        if !notes.isEmpty {
            out.append("")
            out += notes.enumerated().map { "[\($0.offset + 1)] \($0.element)" }
        }
        return out.joined(separator: "\n")
    }

    static func format(_ value: Double?, _ unit: String) -> String {
        guard let value else { return "not measured" }
        let number: String
        if value == value.rounded(), abs(value) < 1e12, abs(value) >= 100 || value == 0 {
            number = String(format: "%.0f", value)
        } else if abs(value) >= 100 {
            number = String(format: "%.0f", value)
        } else if abs(value) >= 10 {
            number = String(format: "%.1f", value)
        } else {
            number = String(format: "%.2f", value)
        }
        return unit.isEmpty ? number : "\(number) \(unit)"
    }
}
