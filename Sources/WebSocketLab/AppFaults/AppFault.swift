/// One application-layer fault of the lab's reference backend (`ws1011 lab --fault`): one small type per
/// cause, built from a ``FaultSpec`` — the same model as the proxy's ``Fault``.
///
/// The requirements are those of ``FaultDefinition``: a ``FaultDescriptor`` and `init(spec:)`. What the
/// fault *does* comes from the capability protocols it also adopts; the backend asks only for those:
/// - ``UpgradeAppFault``: refuse a WebSocket upgrade with an HTTP response;
/// - ``OpenAppFault``: act right after a connection opened;
/// - ``MessageAppFault``: act when a JSON message arrives;
/// - ``AgentRunAppFault``: act before an agent event is sent;
/// - ``BackendSettingsAppFault``: change a backend setting (subprotocol echo, secret, message limit, keepalive);
/// - ``ReadinessAppFault``: make `/health` report not ready;
/// - ``ActivationAppFault``: act once when switched on (a restart).
///
/// Time-dependent hooks get the time since the fault was switched on (`activeFor`), never a clock, so a test
/// drives them with plain durations. Register a new fault with ``FaultRegistry/register(_:)-(AppFault.Type)``.
/// See docs/WRITING_A_FAULT.md.
public protocol AppFault: FaultDefinition {}

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

    /// Creates a context.
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
    /// Creates a plan.
    public init(downtime: Duration) { self.downtime = downtime }
}
