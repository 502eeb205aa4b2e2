/// The backend settings application faults may change (``BackendSettingsAppFault``).
public struct AppBackendSettings: Sendable, Equatable {
    /// Whether the backend echoes the offered `jwt-auth` subprotocol; default `true`.
    public var echoesSubprotocol: Bool
    /// The secret the backend verifies tokens with; default the auth service's one.
    public var verificationSecret: String
    /// The inbound message limit in bytes (close 1009 above it).
    public var messageLimit: Int
    /// The server keepalive, nil for none.
    public var heartbeat: LabConfiguration.Heartbeat?

    /// Creates settings.
    public init(echoesSubprotocol: Bool = true, verificationSecret: String, messageLimit: Int, heartbeat: LabConfiguration.Heartbeat?) {
        self.echoesSubprotocol = echoesSubprotocol
        self.verificationSecret = verificationSecret
        self.messageLimit = messageLimit
        self.heartbeat = heartbeat
    }

    /// The settings of `configuration`, before any fault.
    public init(_ configuration: LabConfiguration) {
        self.init(
            verificationSecret: configuration.jwtSecret, messageLimit: configuration.maxMessageBytes,
            heartbeat: configuration.heartbeat)
    }
}
