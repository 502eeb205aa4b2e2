import Foundation

/// What the client must observe on the wire. Every field is optional: only the fields given are checked.
///
/// Times are milliseconds after the connection opened (the 101 was accepted).
public struct ExpectedSignature: Codable, Sendable, Equatable {
    /// The transcript to read (default `main`).
    public var from: SignatureSource
    /// Whether the WebSocket connection opened.
    public var opened: Bool?
    /// The HTTP status of the upgrade response (101, 403, 429, 500, 503, …).
    public var handshakeStatus: Int?
    /// `transcript.failure.kind` (`tls-failure`, `upgrade-rejected`, `handshake-timeout`, …).
    public var failureKind: String?
    /// The TLS failure reason (`expired`, `hostname-mismatch`, `self-signed`, `unknown-issuer`, …).
    public var tlsFailure: String?
    /// Whether the peer sent a close frame.
    public var closeFrameReceived: Bool?
    /// The close code a browser would report (the received code, 1005, or 1006 for no close frame).
    public var closeCode: Int?
    /// A substring of the received close reason (compared case-insensitively).
    public var closeReasonContains: String?
    /// The close code we sent (e.g. 1011 when our keepalive gave up).
    public var sentCloseCode: Int?
    /// The end of the connection must fall in `[min, max]`: no earlier than `min` ms after the connection attempt
    /// began, no later than `max` ms after the open. A server's timer starts between those two instants, so the
    /// window holds however long a busy machine makes the handshake.
    public var endWindowMs: [Double]?
    /// The outcome of the `h2` step (WebSockets over HTTP/2 as browsers open them): `works`, `fails`,
    /// `not-offered`, `no-extended-connect` or `unchecked`.
    public var h2: String?

    /// Creates an expected signature; `nil` fields are not checked.
    public init(
        from: SignatureSource = .main, opened: Bool? = nil, handshakeStatus: Int? = nil, failureKind: String? = nil,
        tlsFailure: String? = nil, closeFrameReceived: Bool? = nil, closeCode: Int? = nil, closeReasonContains: String? = nil,
        sentCloseCode: Int? = nil, endWindowMs: [Double]? = nil, h2: String? = nil
    ) {
        self.from = from
        self.opened = opened
        self.handshakeStatus = handshakeStatus
        self.failureKind = failureKind
        self.tlsFailure = tlsFailure
        self.closeFrameReceived = closeFrameReceived
        self.closeCode = closeCode
        self.closeReasonContains = closeReasonContains
        self.sentCloseCode = sentCloseCode
        self.endWindowMs = endWindowMs
        self.h2 = h2
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case from, opened, handshakeStatus, failureKind, tlsFailure, closeFrameReceived, closeCode, closeReasonContains
        case sentCloseCode, endWindowMs, h2
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decodeIfPresent(SignatureSource.self, forKey: .from) ?? .main
        opened = try c.decodeIfPresent(Bool.self, forKey: .opened)
        handshakeStatus = try c.decodeIfPresent(Int.self, forKey: .handshakeStatus)
        failureKind = try c.decodeIfPresent(String.self, forKey: .failureKind)
        tlsFailure = try c.decodeIfPresent(String.self, forKey: .tlsFailure)
        closeFrameReceived = try c.decodeIfPresent(Bool.self, forKey: .closeFrameReceived)
        closeCode = try c.decodeIfPresent(Int.self, forKey: .closeCode)
        closeReasonContains = try c.decodeIfPresent(String.self, forKey: .closeReasonContains)
        sentCloseCode = try c.decodeIfPresent(Int.self, forKey: .sentCloseCode)
        endWindowMs = try c.decodeIfPresent([Double].self, forKey: .endWindowMs)
        h2 = try c.decodeIfPresent(String.self, forKey: .h2)
    }

    // MARK: - Matching

    /// The differences between this expectation and `observed`, one sentence each; empty when it matches.
    public func mismatches(against observed: ObservedSignature) -> [String] {
        var out: [String] = []
        func check<T: Equatable>(_ name: String, _ expected: T?, _ actual: T?) {
            guard let expected else { return }
            if expected != actual { out.append("\(name): expected \(expected), observed \(actual.map { "\($0)" } ?? "none")") }
        }
        check("opened", opened, observed.opened)
        check("handshakeStatus", handshakeStatus, observed.handshakeStatus)
        check("failureKind", failureKind, observed.failureKind)
        check("tlsFailure", tlsFailure, observed.tlsFailure)
        check("closeFrameReceived", closeFrameReceived, observed.closeFrameReceived)
        check("closeCode", closeCode, observed.closeCode)
        check("sentCloseCode", sentCloseCode, observed.sentCloseCode)
        check("h2", h2, observed.h2)
        if let closeReasonContains {
            let reason = observed.closeReason ?? ""
            if reason.range(of: closeReasonContains, options: .caseInsensitive) == nil {
                out.append("closeReason: expected to contain '\(closeReasonContains)', observed '\(reason)'")
            }
        }
        if let window = endWindowMs, window.count == 2 {
            if let end = observed.endAfterOpenMs {
                let sinceStart = observed.endAfterStartMs ?? end
                if sinceStart < window[0] || end > window[1] {
                    out.append(
                        "end: expected \(Int(window[0])) ms or more after the connect began and \(Int(window[1])) ms or less after open, "
                            + "observed \(Int(sinceStart.rounded())) ms and \(Int(end.rounded())) ms")
                }
            } else {
                out.append("end: expected \(Int(window[0]))–\(Int(window[1])) ms after open, observed no end after an open")
            }
        }
        return out
    }
}
