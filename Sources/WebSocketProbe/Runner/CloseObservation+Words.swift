import WebSocketDiagnosis

extension CloseObservation {
    /// The end of a connection in words a person can check: who closed, with what, how the transport ended.
    public var probeSummary: String {
        var parts: [String] = []
        if let r = received {
            parts.append("received close \(r.code.map(String.init) ?? "without status")\(r.reason.isEmpty ? "" : " '\(r.reason)'")")
        }
        if let s = sent {
            parts.append("sent close \(s.code.map(String.init) ?? "without status")\(s.reason.isEmpty ? "" : " '\(s.reason)'")")
        }
        if received == nil, sent == nil, transportEnd != .stillOpen, transportEnd != .notConnected {
            parts.append("no close frame (1006)")
        }
        parts.append("transport \(transportEnd.rawValue)")
        if let atMs { parts.append("at \(Int(atMs.rounded())) ms") }
        return parts.joined(separator: ", ")
    }
}
