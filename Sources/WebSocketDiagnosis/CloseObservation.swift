import Foundation
import WebSocketWire

/// How a connection ended: the heart of attribution.
///
/// A received close frame means something that speaks WebSocket chose to close; a transport
/// end with no close frame (the client-side "1006", never on the wire, RFC 6455 §7.1.5) means
/// a timeout, a killed process, a proxy or the network.
public struct CloseObservation: Codable, Sendable, Equatable {
    /// The close frame the peer sent, when one arrived.
    public var received: CloseFrameInfo?
    /// The close frame we sent, when we sent one.
    public var sent: CloseFrameInfo?
    /// Which close frame came first.
    public var order: CloseOrder
    /// How the transport ended.
    public var transportEnd: TransportEnd
    /// Offset at which the transport ended (or the observation stopped, for `stillOpen`).
    public var atMs: Double?
    /// Time from the last inbound frame (or the open, when none) to the end.
    public var sinceLastInboundMs: Double?
    /// Time from the last outbound frame (or the open, when none) to the end.
    public var sinceLastOutboundMs: Double?

    public init(
        received: CloseFrameInfo? = nil, sent: CloseFrameInfo? = nil, order: CloseOrder = .none,
        transportEnd: TransportEnd = .notConnected, atMs: Double? = nil,
        sinceLastInboundMs: Double? = nil, sinceLastOutboundMs: Double? = nil
    ) {
        self.received = received
        self.sent = sent
        self.order = order
        self.transportEnd = transportEnd
        self.atMs = atMs
        self.sinceLastInboundMs = sinceLastInboundMs
        self.sinceLastOutboundMs = sinceLastOutboundMs
    }

    /// The close code a browser would report: the received code, 1005 for a close frame
    /// without status, 1006 when no close frame arrived.
    public var effectiveCode: Int? {
        if let received { return received.code ?? CloseCode.noStatusReceived.rawValue }
        switch transportEnd {
        case .stillOpen, .notConnected: return nil
        default: return CloseCode.abnormalClosure.rawValue
        }
    }
}

/// One close frame.
public struct CloseFrameInfo: Codable, Sendable, Equatable {
    /// The status code; `nil` when the frame had an empty body (no status, "1005").
    public var code: Int?
    public var reason: String
    public var atMs: Double

    public init(code: Int?, reason: String = "", atMs: Double) {
        self.code = code
        self.reason = reason
        self.atMs = atMs
    }
}

/// Which close frame came first.
public enum CloseOrder: String, Codable, Sendable {
    /// The peer closed, we answered.
    case receivedFirst = "received-first"
    /// We closed, the peer answered.
    case sentFirst = "sent-first"
    /// The peer closed, we never answered (transport ended first).
    case receivedOnly = "received-only"
    /// We closed and nothing came back ("sent 1011 … no close frame received").
    case sentOnly = "sent-only"
    /// No close frame either way.
    case none
}

/// How the underlying transport ended.
public enum TransportEnd: String, Codable, Sendable {
    /// The peer closed TCP cleanly (FIN).
    case eof
    /// TCP reset (ECONNRESET / EPIPE).
    case reset
    /// TLS ended without close_notify (truncation).
    case tlsNoCloseNotify = "tls-no-close-notify"
    /// We gave up waiting (a bound fired) and closed.
    case localTimeout = "local-timeout"
    /// We closed the transport after a completed close handshake.
    case localClose = "local-close"
    /// The connection was still open when observation stopped.
    case stillOpen = "still-open"
    /// There never was a connection.
    case notConnected = "not-connected"
    /// Over HTTP/2 (`--http2`): the server ended the WebSocket's stream (`END_STREAM`), the stream's FIN.
    case http2EndStream = "h2-end-stream"
    /// Over HTTP/2: the server reset the WebSocket's stream (`RST_STREAM`; the code is in the transcript's `http2`).
    case http2Reset = "h2-rst-stream"
    /// Over HTTP/2: the server's `GOAWAY` ended the connection the stream was on (the code is in the transcript's `http2`).
    case http2GoAway = "h2-goaway"
}
