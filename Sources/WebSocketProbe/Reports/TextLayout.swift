#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the text report is laid out: the width it wraps to and whether it may use Unicode glyphs.
///
/// The default fits an 80-column terminal with UTF-8 glyphs. ``current(environment:)`` reads the
/// terminal: its width when standard output is one (`COLUMNS` first, as shells export it), and ASCII
/// fallbacks (`+ x - * !` for `✓ ✗ – • ⚠`) when the locale (`LC_ALL`, `LC_CTYPE`, `LANG`) is not UTF-8.
public struct TextLayout: Sendable, Equatable {
    /// Columns a line may take; longer lines wrap with a hanging indent (default 80, at least 40).
    public var width: Int
    /// Whether glyphs beyond ASCII may be printed (default `true`).
    public var unicode: Bool
    /// Whether the output suits colour (default `false`; ``current(environment:)`` says yes only for a terminal
    /// and never with `NO_COLOR`). ``apply(_:)`` never colours: the writer adds ``coloured(_:unicode:)`` after it
    /// has made the text terminal-safe, so that no escape sequence is ever part of the report's text.
    public var colour: Bool

    /// Creates a layout; `width` is kept at 40 or more.
    public init(width: Int = 80, unicode: Bool = true, colour: Bool = false) {
        self.width = max(40, width)
        self.unicode = unicode
        self.colour = colour
    }

    /// 80 columns, UTF-8.
    public static let standard = TextLayout()

    /// The layout for this process's standard output and locale.
    public static func current(environment: [String: String]) -> TextLayout {
        TextLayout(
            width: terminalWidth(environment: environment) ?? 80, unicode: localeIsUTF8(environment),
            colour: colourWanted(environment: environment, isTerminal: isatty(STDOUT_FILENO) == 1))
    }

    /// Whether colour suits this output: a terminal that is not `TERM=dumb`, and no `NO_COLOR` set to a
    /// non-empty value (https://no-color.org).
    public static func colourWanted(environment: [String: String], isTerminal: Bool) -> Bool {
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }

    /// Whether the locale the environment selects encodes UTF-8 (`C.UTF-8`, `en_US.utf8`); the first
    /// non-empty of `LC_ALL`, `LC_CTYPE`, `LANG` decides, as POSIX says. No locale at all is the `C` locale.
    public static func localeIsUTF8(_ environment: [String: String]) -> Bool {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            if let value = environment[name], !value.isEmpty {
                let lower = value.lowercased()
                return lower.contains("utf-8") || lower.contains("utf8")
            }
        }
        return false
    }

    /// The width of the terminal on standard output, or `nil` when it is not a terminal.
    static func terminalWidth(environment: [String: String]) -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        var size = winsize()
        #if canImport(Glibc)
            let request = UInt(TIOCGWINSZ)
        #else
            let request = TIOCGWINSZ
        #endif
        guard ioctl(STDOUT_FILENO, request, &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    // MARK: - Applying

    /// The glyphs the report uses and their ASCII stand-ins.
    static let asciiFallbacks: [(Character, String)] = [
        ("✓", "+"), ("✗", "x"), ("–", "-"), ("•", "*"), ("⚠", "!"), ("—", "-"), ("→", "->"), ("…", "..."), ("·", "."),
    ]

    /// `text` laid out: glyphs replaced when not ``unicode``, every line longer than ``width`` wrapped at
    /// spaces with its continuation indented 4 columns past the line's own indent (a word longer than a
    /// line is cut).
    func apply(_ text: String) -> String {
        var text = text
        if !unicode {
            for (glyph, ascii) in Self.asciiFallbacks { text = text.replacingOccurrences(of: String(glyph), with: ascii) }
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { wrap(String($0)) }.joined(separator: "\n")
    }

    // MARK: - Colour

    static let green = "\u{1B}[32m", red = "\u{1B}[31m", yellow = "\u{1B}[33m", dim = "\u{1B}[2m", bold = "\u{1B}[1m", reset = "\u{1B}[0m"

    /// Colours our own marks, after the text was made terminal-safe and wrapped (so peer text can never carry
    /// an escape sequence, and widths are counted without them): the mark of a step or auth-channel line
    /// (passed green, failed red, skipped dim), the verdict line by its layer, warnings yellow.
    public static func coloured(_ text: String, unicode: Bool) -> String {
        let marks: [(String, String)] = unicode ? [("✓", green), ("✗", red), ("–", dim)] : [("+", green), ("x", red), ("-", dim)]
        let warning = unicode ? "⚠ " : "! "
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let line = String(line)
            if line.hasPrefix("Verdict: ") {
                let layer = line.dropFirst("Verdict: ".count).prefix { $0 != " " }
                let tint = layer == "HEALTHY" ? green : (layer == "INCONCLUSIVE" ? yellow : red)
                return bold + tint + line + reset
            }
            if line.hasPrefix(warning) { return yellow + line + reset }
            for (mark, tint) in marks where line.hasPrefix("  \(mark) ") {
                return "  " + tint + mark + reset + line.dropFirst(2 + mark.count)
            }
            return line
        }.joined(separator: "\n")
    }

    /// One line wrapped to ``width``.
    func wrap(_ line: String) -> String {
        guard line.count > width else { return line }
        let indent = String(line.prefix { $0 == " " })
        let hanging = String(repeating: " ", count: min(indent.count + 4, width / 2))
        var lines: [String] = []
        var current = indent
        var currentHasWord = false
        for word in line.dropFirst(indent.count).split(separator: " ", omittingEmptySubsequences: false) {
            var word = Substring(word)
            let separator = currentHasWord ? " " : ""
            if current.count + separator.count + word.count <= width {
                current += separator + word
                currentHasWord = true
                continue
            }
            if currentHasWord {
                lines.append(current)
                current = hanging
                currentHasWord = false
            }
            // A word longer than a whole line is cut.
            while current.count + word.count > width {
                let room = width - current.count
                lines.append(current + word.prefix(room))
                word = word.dropFirst(room)
                current = hanging
            }
            current += word
            currentHasWord = true
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
