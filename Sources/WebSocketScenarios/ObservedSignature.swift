import WebSocketDiagnosis

/// What the client observed on the wire, read from one transcript (the counterpart of ``ExpectedSignature``).
public struct ObservedSignature: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The transcript it was read from; `nil` fields below mean "not observed".
    public var from: SignatureSource
    /// Whether that transcript exists (an idle probe that did not run has none).
    public var present: Bool
    public var opened: Bool
    public var handshakeStatus: Int?
    public var failureStage: String?
    public var failureKind: String?
    public var tlsFailure: String?
    public var closeFrameReceived: Bool
    public var closeCode: Int?
    public var closeReason: String?
    public var sentCloseCode: Int?
    /// `eof`, `reset`, `local-timeout`, `local-close`, `still-open`, …
    public var transportEnd: String
    /// When the connection ended, in ms after it opened.
    public var endAfterOpenMs: Double?
    /// When the connection ended, in ms after the connection attempt began (before the TCP connect). A server's
    /// timer starts between that instant and the open — at the accept, at the 101 — so a configured duration
    /// bounds this figure from below whatever the handshake took, and ``endAfterOpenMs`` from above (give or
    /// take the delivery of the end).
    public var endAfterStartMs: Double?
    /// Bytes that crossed the socket (both ways).
    public var wireBytes: Int
    /// The outcome of the run's `h2` step (`works`, `fails`, `not-offered`, …; ``HTTP2Observation/Outcome``),
    /// when it ran.
    public var h2: String?

    /// Reads the signature of `transcript` (`nil`: the transcript named by `source` does not exist).
    public init(transcript: ConnectionTranscript?, from source: SignatureSource) {
        from = source
        guard let t = transcript else {
            present = false
            opened = false
            closeFrameReceived = false
            transportEnd = TransportEnd.notConnected.rawValue
            wireBytes = 0
            return
        }
        present = true
        opened = t.timings.openAtMs != nil
        handshakeStatus = t.handshake?.status
        failureStage = t.failure?.stage.rawValue
        failureKind = t.failure?.kind.rawValue
        tlsFailure = t.tls?.failure?.rawValue
        closeFrameReceived = t.close.received != nil
        closeCode = t.close.effectiveCode
        closeReason = t.close.received?.reason
        sentCloseCode = t.close.sent?.code
        transportEnd = t.close.transportEnd.rawValue
        // A received close frame ends the connection for the signature even when the transcript was taken
        // before the TCP end (the closing handshake still under way).
        if let open = t.timings.openAtMs,
            t.close.received != nil || (t.close.transportEnd != .stillOpen && t.close.transportEnd != .notConnected)
        {
            let end = t.close.received?.atMs ?? t.close.atMs
            endAfterOpenMs = end.map { max(0, $0 - open) }
            endAfterStartMs = end
        }
        wireBytes = t.wire.bytesIn + t.wire.bytesOut
    }

    /// One line: `HTTP 429`, `close 1011 "Internal error" received @1012ms`, `1006 (no close frame) @1003ms`, `TLS expired`.
    public var description: String {
        guard present else { return "(\(from.rawValue) transcript missing)" }
        var parts: [String] = []
        if from != .main { parts.append("[\(from.rawValue)]") }
        if let tlsFailure { return (parts + ["TLS \(tlsFailure)"]).joined(separator: " ") }
        if !opened {
            if let handshakeStatus { parts.append("HTTP \(handshakeStatus)") }
            if let failureKind { parts.append(failureKind) }
            if parts.isEmpty || parts == ["[\(from.rawValue)]"] { parts.append("not opened") }
            return parts.joined(separator: " ")
        }
        if closeFrameReceived {
            parts.append("close \(closeCode.map(String.init) ?? "?") \"\(closeReason ?? "")\" received")
        } else if let closeCode {
            parts.append("\(closeCode) (no close frame, \(transportEnd))")
        } else {
            parts.append("open (\(transportEnd))")
        }
        if let sentCloseCode { parts.append("sent \(sentCloseCode)") }
        if let endAfterOpenMs { parts.append("@\(Int(endAfterOpenMs.rounded()))ms") }
        return parts.joined(separator: " ")
    }
}
