import Foundation

/// `HOST:PORT` (or `[IPv6]:PORT`) from a command line.
struct HostPort: Equatable {
    var host: String
    var port: Int

    /// Parses `text`; `option` names the option in the error.
    init(parsing text: String, option: String) throws {
        let s = text.trimmingCharacters(in: .whitespaces)
        var host: Substring
        var portText: Substring
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":") else { throw UsageError("\(option) '\(text)': write HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080") }
            portText = rest.dropFirst()
        } else if let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        } else {
            throw UsageError("\(option) '\(text)': write HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
        }
        guard !host.isEmpty else { throw UsageError("\(option) '\(text)': the host is missing, e.g. 127.0.0.1:\(portText)") }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw UsageError("\(option) '\(text)': the port must be a number from 0 to 65535")
        }
        self.host = String(host)
        self.port = port
    }
}
