import Foundation
import WebSocketDiagnosis

/// Parses a header written on a command line: `'Name: value'`.
public enum HeaderFieldText {
    /// Parses `Name: value`: the name an HTTP token (RFC 9110 §5.1), then a colon, then the value
    /// (surrounding spaces trimmed); no line breaks anywhere.
    public static func parse(_ text: String) throws(ProbeError) -> HeaderField {
        // Scalars, not Characters: "\r\n" is one Character, so `contains("\r")` would miss it and let a
        // second header be injected. HTAB is allowed in a field value (RFC 9110 §5.5); no other control.
        let control = text.unicodeScalars.contains { ($0.value < 0x20 && $0.value != 0x09) || $0.value == 0x7F }
        guard let colon = text.firstIndex(of: ":"), !control else {
            throw ProbeError.invalidHeader(text)
        }
        let name = String(text[..<colon])
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let tokenPunctuation: Set<Character> = ["!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~"]
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || tokenPunctuation.contains($0)) }) else {
            throw ProbeError.invalidHeader(text)
        }
        return HeaderField(name, value)
    }
}
