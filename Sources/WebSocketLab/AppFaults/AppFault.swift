/// One application-layer fault of the reference backend: one small type per cause, built from a ``FaultSpec``.
///
/// A fault overrides only the hooks it needs (defaults in `AppFault+Defaults.swift` do nothing):
/// refuse the upgrade, skip the subprotocol echo, verify with another secret, act when a connection opens,
/// on a message, on an agent event, shrink the message limit, change the keepalive, or restart on activation.
/// To add a fault: write `SomethingFault.swift`, list it in ``AppFaultRegistry/types``, test it.
public protocol AppFault: Sendable {
    /// The registry name (`internal-error`).
    static var name: String { get }
    /// The parameters it accepts (anything else is rejected with a clear error).
    static var parameterNames: Set<String> { get }
    /// One line for `--help` and error messages.
    static var summary: String { get }
    /// Builds the fault; throws ``FaultSpecError`` for a bad parameter.
    init(spec: FaultSpec) throws(FaultSpecError)

    /// An HTTP refusal for a WebSocket upgrade that would otherwise be accepted.
    func upgradeRefusal(at now: ContinuousClock.Instant) -> HTTPRefusal?
    /// Whether the backend echoes the `jwt-auth` subprotocol (default `true`).
    var echoesSubprotocol: Bool { get }
    /// A secret the backend verifies tokens with instead of the auth service's one.
    var verificationSecret: String? { get }
    /// What to do right after a connection opened.
    func onOpen(at now: ContinuousClock.Instant) -> AppFaultAction?
    /// What to do when a JSON message arrives (before the backend handles it).
    func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction?
    /// What to do before agent event number `index` (1-based within a run) is sent.
    func onAgentEvent(index: Int) -> AppFaultAction?
    /// A lower inbound message limit in bytes (close 1009 above it).
    var messageLimit: Int? { get }
    /// A server keepalive replacing the configured one.
    var heartbeat: LabConfiguration.Heartbeat? { get }
    /// A restart to carry out when the fault is switched on.
    var restartOnActivation: RestartPlan? { get }
}

/// What a fault tells the connection to do.
public enum AppFaultAction: Sendable, Equatable {
    /// Send a close frame with `code`/`reason`, then close the socket.
    case close(code: Int, reason: String)
    /// Close the socket without a close frame (the client sees 1006).
    case drop
    /// Block the connection's event loop for the duration (a synchronous handler), then carry on.
    case block(Duration)
}

/// The message a fault is asked about.
public struct AppFaultMessageContext: Sendable, Equatable {
    /// The message's `type` (`user_message`).
    public var type: String
    /// 1-based count of JSON messages on this connection, this one included.
    public var index: Int
    /// 1-based count of messages of this `type` on this connection, this one included.
    public var typeIndex: Int

    public init(type: String, index: Int, typeIndex: Int) {
        self.type = type
        self.index = index
        self.typeIndex = typeIndex
    }
}

/// A graceful restart: close every connection 1012, refuse new upgrades with 503 for `downtime`.
public struct RestartPlan: Sendable, Equatable {
    /// How long new upgrades are refused with 503.
    public var downtime: Duration
    public init(downtime: Duration) { self.downtime = downtime }
}
