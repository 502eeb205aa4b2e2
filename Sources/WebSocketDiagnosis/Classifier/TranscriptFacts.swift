/// Facts derived from one transcript that several rules need: when it opened and ended, how the
/// end relates to the last frame each way, to our last message, to the server's pings.
///
/// Pure derivation: every number is computed from the transcript (and the plan's message offsets).
struct TranscriptFacts: Sendable {
    /// Offset at which the connection was open; `nil` when it never opened.
    let openAtMs: Double?
    /// Offset at which the transport ended (or observation stopped).
    let endAtMs: Double?
    /// The peer's close frame, if any.
    let received: CloseFrameInfo?
    /// Our close frame, if any.
    let sent: CloseFrameInfo?
    /// The transport was ended by the peer or the path (FIN, RST, TLS truncation), not by us.
    let transportEndedByPeer: Bool
    /// No close frame either way and the transport ended by the peer or the path ("1006").
    let bareEnd: Bool
    /// Time from the last inbound frame (or the open) to the end.
    let sinceLastInboundMs: Double?
    /// Time from the last outbound frame (or the open) to the end.
    let sinceLastOutboundMs: Double?
    /// Offsets of our application messages (outbound text/binary frames and the plan's message offsets).
    let outboundMessagesAtMs: [Double]
    /// Offsets of inbound data frames.
    let inboundDataAtMs: [Double]
    /// Offsets of every ping the server sent us, in order.
    let serverPingsAtMs: [Double]
    /// Offsets of the server's pings that we never answered with a pong.
    let unansweredServerPingsAtMs: [Double]
    /// Offset of our last pong to the server, if any.
    let lastOutboundPongAtMs: Double?
    /// Our pings that got no pong.
    let unansweredOwnPings: [PingRecord]
    /// Offset of the last pong we received for one of our pings.
    let lastOwnPongAtMs: Double?
    /// Largest outbound data frame.
    let largestOutboundFrame: FrameRecord?
    /// The longest gap between consecutive inbound frames (from the open), before the end: the
    /// connection's regular cadence, against which the final silence is judged.
    let longestInboundGapMs: Double?

    init(_ t: ConnectionTranscript, extraMessagesAtMs: [Double] = []) {
        openAtMs = t.timings.openAtMs
        endAtMs = t.close.atMs
        received = t.close.received
        sent = t.close.sent
        switch t.close.transportEnd {
        case .eof, .reset, .tlsNoCloseNotify, .http2EndStream, .http2Reset, .http2GoAway: transportEndedByPeer = true
        default: transportEndedByPeer = false
        }
        bareEnd = t.timings.openAtMs != nil && t.close.received == nil && t.close.sent == nil && transportEndedByPeer

        let data: Set<String> = ["text", "binary", "continuation"]
        let inbound = t.frames.filter { $0.direction == .inbound }
        let outbound = t.frames.filter { $0.direction == .outbound }
        let anchor = t.timings.openAtMs
        if let given = t.close.sinceLastInboundMs {
            sinceLastInboundMs = given
        } else if let end = t.close.atMs, let last = inbound.map(\.atMs).max() ?? anchor {
            sinceLastInboundMs = end - last
        } else {
            sinceLastInboundMs = nil
        }
        if let given = t.close.sinceLastOutboundMs {
            sinceLastOutboundMs = given
        } else if let end = t.close.atMs, let last = outbound.map(\.atMs).max() ?? anchor {
            sinceLastOutboundMs = end - last
        } else {
            sinceLastOutboundMs = nil
        }

        let framesOut = outbound.filter { data.contains($0.opcode) }.map(\.atMs)
        let open = anchor ?? 0
        outboundMessagesAtMs = Array(Set(framesOut + extraMessagesAtMs.filter { $0 >= open })).sorted()
        inboundDataAtMs = inbound.filter { data.contains($0.opcode) }.map(\.atMs).sorted()

        let serverPings = inbound.filter { $0.opcode == "ping" }.map(\.atMs).sorted()
        serverPingsAtMs = serverPings
        let ourPongs = outbound.filter { $0.opcode == "pong" }.map(\.atMs).sorted()
        lastOutboundPongAtMs = ourPongs.last
        // A server ping is unanswered when no pong of ours follows it (pongs answer the latest ping).
        unansweredServerPingsAtMs = serverPings.filter { ping in !ourPongs.contains { $0 >= ping } }

        unansweredOwnPings = t.pings.filter { $0.pongAtMs == nil }
        lastOwnPongAtMs = t.pings.compactMap(\.pongAtMs).max()
        largestOutboundFrame = outbound.filter { data.contains($0.opcode) }.max { $0.length < $1.length }
        let inboundTimes = [anchor].compactMap { $0 } + inbound.map(\.atMs).sorted()
        longestInboundGapMs = inboundTimes.count >= 3 ? zip(inboundTimes.dropFirst(), inboundTimes).map { $0 - $1 }.max() : nil
    }

    /// Whether the connection opened.
    var opened: Bool { openAtMs != nil }

    /// Time from open to the end, when both are known.
    var openDurationMs: Double? {
        guard let o = openAtMs, let e = endAtMs else { return nil }
        return e - o
    }

    /// The last application message we sent before `time`.
    func lastMessage(before time: Double) -> Double? {
        outboundMessagesAtMs.last { $0 <= time }
    }

    /// The server's own ping interval, learned from the pings it sent: the median gap between two
    /// consecutive pings, or — with a single ping — the time from the open to it (servers start their
    /// keepalive timer at the open). `nil` when the server sent no ping.
    var serverPingIntervalMs: Double? {
        guard let first = serverPingsAtMs.first else { return nil }
        let gaps = zip(serverPingsAtMs.dropFirst(), serverPingsAtMs).map { $0 - $1 }.sorted()
        if !gaps.isEmpty { return gaps[gaps.count / 2] }
        guard let open = openAtMs, first > open else { return nil }
        return first - open
    }

    /// Whether an inbound data frame arrived in (after, until].
    func inboundData(after: Double, until: Double) -> Bool {
        inboundDataAtMs.contains { $0 > after && $0 <= until }
    }
}
