import NIOCore
import NIOPosix
import NIOSSL
import WebSocketDiagnosis

/// What the channel handler reports to the connection, in order, each stamped on the monotonic clock.
enum WireEvent: Sendable {
    /// Decrypted bytes as read (the buffer itself: no copy on the way to the parser).
    case bytes(ByteBuffer, at: ContinuousClock.Instant)
    case tlsHandshakeCompleted(protocolVersion: String?, at: ContinuousClock.Instant)
    case error(TransportErrorKind, at: ContinuousClock.Instant)
    case inactive(at: ContinuousClock.Instant)
}

/// A transport error, classified where it was caught.
enum TransportErrorKind: Sendable, Equatable {
    /// ECONNRESET / EPIPE.
    case reset(String)
    /// TLS ended without close_notify.
    case tlsUncleanShutdown
    /// The TLS layer failed (handshake or record).
    case tls(String)
    /// The HTTP/2 stream the WebSocket runs over ended (`--http2`): how (`h2-rst-stream`, …) and what was read.
    case http2(TransportEnd, String)
    case other(String)

    static func classify(_ error: any Error) -> TransportErrorKind {
        if let io = error as? IOError {
            #if canImport(Darwin)
                let resetCodes: Set<Int32> = [ECONNRESET, EPIPE]
            #else
                let resetCodes: Set<Int32> = [ECONNRESET, EPIPE]
            #endif
            if resetCodes.contains(io.errnoCode) { return .reset(String(describing: io)) }
            return .other(String(describing: io))
        }
        if let ssl = error as? NIOSSLError {
            if case .uncleanShutdown = ssl { return .tlsUncleanShutdown }
            return .tls(String(describing: ssl))
        }
        if let ending = error as? HTTP2StreamEnding { return ending.end.map { .http2($0, ending.detail) } ?? .other(ending.detail) }
        if error is NIOSSLExtraError || error is BoringSSLError { return .tls(String(describing: error)) }
        return .other(String(describing: error))
    }

    var text: String {
        switch self {
        case .reset(let s): "connection reset (\(s))"
        case .tlsUncleanShutdown: "TLS ended without close_notify"
        case .tls(let s): s
        case .http2(_, let s): s
        case .other(let s): s
        }
    }
}
