/// The layered steps of a probe, in order.
///
/// `h2` is the separate WebSocket-over-HTTP/2 check of a `wss://` target (RFC 8441), run after the
/// HTTP/1.1 attempt: see ``HTTP2Observation``.
public enum StepName: String, Codable, Sendable, CaseIterable {
    case resolve, connect, proxy, tls, upgrade, subprotocol, auth, ping, messages, sustain, agentEvents = "agent-events", close, h2
}

/// The outcome of one step.
public enum StepStatus: String, Codable, Sendable {
    case passed, failed, skipped
}

/// One step of a layered probe, as reported.
public struct ProbeStep: Codable, Sendable, Equatable {
    public var name: StepName
    public var status: StepStatus
    public var durationMs: Double?
    /// What was observed (passed/failed) or why it was skipped.
    public var detail: String

    public init(name: StepName, status: StepStatus, durationMs: Double? = nil, detail: String) {
        self.name = name
        self.status = status
        self.durationMs = durationMs
        self.detail = detail
    }
}
