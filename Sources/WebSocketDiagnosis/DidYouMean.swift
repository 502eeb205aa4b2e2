/// The "did you mean" of the loaders' unknown-field errors (profiles, scenarios): the known name closest to what
/// was written, when it is close (Levenshtein distance, case-insensitive, at most 3).
public enum DidYouMean {
    /// `" — did you mean 'name'?"` for the closest of `known` to `written`, or `""` when none is close.
    public static func hint(for written: String, among known: some Sequence<String>) -> String {
        guard let guess = known.min(by: { distance($0, written) < distance($1, written) }), distance(guess, written) <= 3 else { return "" }
        return " — did you mean '\(guess)'?"
    }

    /// Levenshtein distance, case-insensitive.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}
