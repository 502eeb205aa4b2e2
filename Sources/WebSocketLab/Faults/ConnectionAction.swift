/// What the proxy does to a connection when a fault says so.
public enum ConnectionAction: Sendable, Equatable {
    /// Close TCP on both sides (FIN), no close frame: what idle timeouts and lifetime caps do.
    case closeTransport
    /// Reset TCP on both sides (RST).
    case reset
    /// Send a close frame the way given (downstream: to the client, as if from the server;
    /// upstream: to the server, masked, as if from the client), stop forwarding, and end the
    /// connection once the peer answered or after one second.
    case injectClose(code: Int, reason: String, direction: FaultDirection)
}
