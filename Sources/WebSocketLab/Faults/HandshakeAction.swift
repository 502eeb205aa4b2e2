/// What the proxy does with a request after a handshake fault saw it.
public enum HandshakeAction: Sendable, Equatable {
    /// Go on (possibly with an edited head).
    case forward
    /// Wait this long before connecting upstream (cold start).
    case delay(Duration)
    /// Answer the client with this status and body and close; nothing goes upstream.
    case respond(status: Int, body: String)
}
