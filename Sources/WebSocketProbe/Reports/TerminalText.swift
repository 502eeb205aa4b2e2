/// Makes text that a peer controls safe to print on a terminal.
///
/// A server chooses its reason phrase, headers, body and close reason. Printed raw, an escape
/// sequence in any of them can set the window title, clear the screen or draw a fake
/// "Verdict: HEALTHY" line. Every control character (C0, DEL, C1), every bidirectional override
/// and every line separator is shown as an escape instead (`\x1b`, `\u{202e}`), so the reader sees
/// what was sent and the terminal executes none of it. JSON output keeps the exact text; this is
/// for what reaches a person.
public enum TerminalText {
    /// One line of peer text: line breaks folded into visible `\n` / `\r` as well.
    public static func line(_ s: String) -> String {
        escape(s, keepNewlines: false)
    }

    /// A block of our own text (which may contain peer text already made safe): newlines and tabs
    /// stay, every other control character is made visible.
    public static func block(_ s: String) -> String {
        escape(s, keepNewlines: true)
    }

    /// `true` for a scalar a terminal may interpret: C0 and C1 controls, DEL, bidirectional
    /// embeddings, overrides and isolates, the Unicode line and paragraph separators.
    static func isUnsafe(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x061C
    }

    private static func escape(_ s: String, keepNewlines: Bool) -> String {
        guard s.unicodeScalars.contains(where: { isUnsafe($0.value) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            guard isUnsafe(v) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch v {
            case 0x0A where keepNewlines: out += "\n"
            case 0x09 where keepNewlines: out += "\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case ..<0x80: out += "\\x" + hex(v, width: 2)
            default: out += "\\u{" + hex(v, width: 4) + "}"
            }
        }
        return out
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
