import WebSocketDiagnosis

/// What ``WebSocketConnection/receive(timeout:)`` returns.
public enum InboundMessage: Sendable, Equatable {
    /// A complete text message.
    case text(String)
    /// A complete binary message.
    case binary([UInt8])
    /// The connection is over (close frame and/or transport end).
    case closed(CloseObservation)
    /// Nothing arrived within the bound; the connection is still open.
    case timeout
}
