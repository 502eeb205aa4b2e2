import Foundation

/// The server's keepalive at the application layer, read from the data frames of one transcript: pings the
/// server sends as messages of its own protocol, and whether the client answered them
/// (docs/FAILURE_SIGNATURES.md, "Keepalives and handler errors per library").
///
/// - Engine.IO v4: the server sends the ping packet `2` every `pingInterval` announced in its open packet
///   and waits `pingTimeout` for the pong packet `3`, then closes (Node engine.io `lib/socket.ts`
///   `schedulePing`/`resetPingTimeout`; python-engineio `engineio/socket.py`). In v3 (`EIO=3`) the client
///   pinged instead, so nothing here applies.
/// - Action Cable: `{"type":"ping","message":<unix time>}` every 3 s (`server/connections.rb`
///   `BEAT_INTERVAL = 3`, `connection/base.rb` `beat`), after a `{"type":"welcome"}` sent once the
///   connection's `connect` succeeded (`handle_open`). No answer is expected: its JavaScript client declares
///   the connection stale after two missed beats (`connection_monitor.js`, `staleThreshold = 6`).
/// - Other JSON protocols: a message whose `type` (or `event`, `op`) is `ping`, answered by one whose is
///   `pong`.
///
/// Only what the frames show: a dialect is recognised from its messages, the subprotocol the server
/// selected (`actioncable-v1-json`) or the announcement recorded with the transcript.
struct ApplicationHeartbeat: Sendable {
    /// The protocol whose keepalive this is.
    enum Dialect: String, Sendable {
        case engineIO = "Engine.IO"
        case actionCable = "Action Cable"
        case json = "JSON"

        /// How its pings read in evidence.
        var pingWords: String {
            switch self {
            case .engineIO: "Engine.IO ping packets (`2`)"
            case .actionCable: "Action Cable pings ({\"type\":\"ping\"})"
            case .json: "JSON pings ({\"type\":\"ping\"})"
            }
        }

        /// The interval the protocol's own source fixes, when it does (Action Cable: `BEAT_INTERVAL = 3`).
        var fixedIntervalMs: Double? { self == .actionCable ? 3000 : nil }
    }

    let dialect: Dialect
    /// Offsets of the server's application pings, in order.
    let pingsAtMs: [Double]
    /// Whether the protocol expects the client to answer each ping.
    let answersExpected: Bool
    /// The pings no answer of ours followed (empty when no answer is expected).
    let unansweredAtMs: [Double]
    /// Our last answer (`3`, a JSON pong), if any.
    let lastAnswerAtMs: Double?
    /// What the server announced when the connection opened (Engine.IO's open packet).
    let announced: ApplicationKeepaliveAnnouncement?
    /// Action Cable's `welcome` message, when it came.
    let welcomeAtMs: Double?

    /// Reads the application heartbeat of `t`; `nil` when no dialect is recognised.
    init?(_ t: ConnectionTranscript) {
        let texts = t.frames.filter { $0.opcode == "text" }
        let inbound = texts.filter { $0.direction == .inbound }
        let outbound = texts.filter { $0.direction == .outbound }
        let engineIOv3 = t.target.resource.contains("EIO=3") || t.request?.resource.contains("EIO=3") == true
        let actionCableSelected = t.handshake?.subprotocol?.lowercased().hasPrefix("actioncable-") == true

        var dialect: Dialect?
        var pings: [Double] = []
        for frame in inbound {
            guard let kind = Self.ping(frame, engineIOv3: engineIOv3) else { continue }
            dialect = dialect ?? kind
            if kind == dialect { pings.append(frame.atMs) }
        }
        let welcome = inbound.first { Self.compact($0).hasPrefix(#"{"type":"welcome""#) }?.atMs
        if dialect == nil {
            if t.applicationKeepalive?.protocolName == "engine.io", !engineIOv3 {
                dialect = .engineIO
            } else if actionCableSelected || welcome != nil {
                dialect = .actionCable
            }
        }
        guard let dialect else { return nil }
        self.dialect = dialect
        pingsAtMs = pings.sorted()
        announced = dialect == .engineIO ? t.applicationKeepalive : nil
        welcomeAtMs = dialect == .actionCable ? welcome : nil
        answersExpected = dialect != .actionCable
        let answers = outbound.filter { Self.isAnswer($0, dialect: dialect) }.map(\.atMs).sorted()
        lastAnswerAtMs = answers.last
        unansweredAtMs = answersExpected ? pingsAtMs.filter { ping in !answers.contains { $0 >= ping } } : []
    }

    /// The server's ping interval: announced, else the median gap between its pings, else the protocol's
    /// own constant; `nil` when none is known.
    var intervalMs: Double? {
        if let announced { return announced.pingIntervalMs }
        let gaps = zip(pingsAtMs.dropFirst(), pingsAtMs).map { $0 - $1 }.sorted()
        if !gaps.isEmpty { return gaps[gaps.count / 2] }
        return dialect.fixedIntervalMs
    }

    /// Where the interval comes from, for evidence.
    var intervalSource: String {
        if let announced {
            return
                "announced in its open packet (pingInterval \(Describe.ms(announced.pingIntervalMs)), pingTimeout \(Describe.ms(announced.pingTimeoutMs)))"
        }
        return pingsAtMs.count >= 2 ? "learned from its pings" : "the protocol's own constant"
    }

    // MARK: - Recognising messages

    /// The message without spaces, lowercased.
    static func compact(_ frame: FrameRecord) -> String {
        (frame.preview ?? "").replacingOccurrences(of: " ", with: "").lowercased()
    }

    /// The dialect of an inbound application ping, or `nil` when the frame is not one.
    static func ping(_ frame: FrameRecord, engineIOv3: Bool) -> Dialect? {
        guard frame.opcode == "text", frame.direction == .inbound else { return nil }
        if frame.length == 1, frame.preview == "2" { return engineIOv3 ? nil : .engineIO }
        let c = compact(frame)
        guard c.hasPrefix("{"), c.contains(#""type":"ping""#) || c.contains(#""event":"ping""#) || c.contains(#""op":"ping""#)
        else { return nil }
        return c.hasPrefix(#"{"type":"ping","message":"#) ? .actionCable : .json
    }

    /// Whether an outbound message answers a ping of `dialect`.
    static func isAnswer(_ frame: FrameRecord, dialect: Dialect) -> Bool {
        guard frame.opcode == "text", frame.direction == .outbound else { return false }
        switch dialect {
        case .engineIO: return frame.length == 1 && frame.preview == "3"
        case .actionCable: return false
        case .json:
            let c = compact(frame)
            return c.hasPrefix("{") && (c.contains(#""type":"pong""#) || c.contains(#""event":"pong""#) || c.contains(#""op":"pong""#))
        }
    }

    // MARK: - A heartbeat that stopped

    /// The heartbeat missing at `time`: the server's pings never came though its protocol sends them, or
    /// stopped, for more than ``ClassifierThresholds/keepaliveTimeoutIntervals`` intervals (two, plus slack) before `time`. `nil` when they kept coming, or no
    /// interval is known.
    func missing(at time: Double, openAtMs open: Double, thresholds th: ClassifierThresholds) -> (sinceMs: Double, lastPingAtMs: Double?)? {
        guard let interval = intervalMs, interval > 0 else { return nil }
        let last = pingsAtMs.last { $0 <= time }
        let since = time - (last ?? open)
        let slack = max(th.measurementTolerance.milliseconds, th.keepaliveIntervalSlack * interval)
        guard since > th.keepaliveTimeoutIntervals * interval + slack else { return nil }
        return (since, last)
    }
}
