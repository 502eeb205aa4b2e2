/// A timeout-discovery measurement counts as a timeout only when that probe's connection ended with no
/// close frame: a close frame (a 1001/1012 deploy, a server keepalive) is a WebSocket speaker's decision.
/// Every rule that reads measurements goes through these, so they all agree on what was measured.
extension Measurements {
    /// How long the pinged probe lived, when it ended bare; `nil` when it outlived the probe or was closed by a frame.
    var bareLifetimeMs: Double? { Self.bare(lifetimeMs, lifetimeTranscript) }
    /// How long the silent probe lived, when it ended bare; `nil` when it outlived the probe or was closed by a frame.
    var bareIdleTimeoutMs: Double? { Self.bare(idleTimeoutMs, idleTranscript) }

    /// The same for the pinged probe direct to the backend (`--direct`).
    var directBareLifetimeMs: Double? { Self.bare(directLifetimeMs, directLifetimeTranscript) }
    /// The same for the silent probe direct to the backend (`--direct`).
    var directBareIdleTimeoutMs: Double? { Self.bare(directIdleTimeoutMs, directIdleTranscript) }
    /// The silent probe direct to the backend opened and outlived the probe (nothing cut it direct).
    var directIdleOutlived: Bool { Self.outlived(directIdleTimeoutMs, directIdleTranscript) }
    /// The pinged probe direct to the backend opened and outlived the probe.
    var directLifetimeOutlived: Bool { Self.outlived(directLifetimeMs, directLifetimeTranscript) }

    private static func outlived(_ value: Double?, _ transcript: ConnectionTranscript?) -> Bool {
        guard let transcript, value == nil else { return false }
        return transcript.timings.openAtMs != nil && transcript.handshake?.opensWebSocket == true
    }

    private static func bare(_ value: Double?, _ transcript: ConnectionTranscript?) -> Double? {
        guard let value else { return nil }
        return transcript.map { $0.close.received == nil } ?? true ? value : nil
    }
}
