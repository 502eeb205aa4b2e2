import NIOCore
import Synchronization
import WebSocketAuth

/// State shared by every connection of one lab: configuration, active faults, verifiers, connections.
final class LabState: Sendable {
    let configuration: LabConfiguration
    let auth: AuthService
    let connections = ConnectionRegistry()
    let startedAt: ContinuousClock.Instant
    /// Where application faults are looked up.
    let registry: FaultRegistry
    private let faults: Mutex<ActiveAppFaults>
    private let refusingUntil = Mutex<ContinuousClock.Instant?>(nil)
    private let verifiers = Mutex<[String: TokenVerifier]>([:])

    init(configuration: LabConfiguration, auth: AuthService, registry: FaultRegistry = .standard) {
        self.configuration = configuration
        self.auth = auth
        self.registry = registry
        self.startedAt = .now
        self.faults = Mutex(.none(base: AppBackendSettings(configuration), at: startedAt))
    }

    // MARK: - Faults

    /// The faults active now.
    var activeFaults: ActiveAppFaults { faults.withLock { $0 } }

    /// Replaces the active faults, switched on at `now`; carries out a restart when one asks for it.
    func setFaults(_ new: [any AppFault], at now: ContinuousClock.Instant = .now) {
        let active = ActiveAppFaults(new, activatedAt: now, base: AppBackendSettings(configuration))
        faults.withLock { $0 = active }
        if let plan = active.restartOnActivation {
            restart(downtime: plan.downtime)
        }
    }

    /// Graceful restart: 1012 to every connection, 503 to new upgrades for `downtime`.
    func restart(downtime: Duration) {
        refusingUntil.withLock { $0 = .now + downtime }
        connections.broadcast(.restart)
    }

    /// Whether new upgrades are refused because of a restart.
    func isRestarting(at now: ContinuousClock.Instant) -> Bool {
        refusingUntil.withLock { until in until.map { now < $0 } ?? false }
    }

    /// The keepalive in force: a fault's, else the configured one.
    var heartbeat: LabConfiguration.Heartbeat? {
        activeFaults.settings.heartbeat
    }

    /// The inbound message limit in force.
    var messageLimit: Int {
        activeFaults.settings.messageLimit
    }

    /// Whether the backend echoes `jwt-auth`.
    var echoesSubprotocol: Bool { activeFaults.settings.echoesSubprotocol }

    /// The state `/health` reports.
    func health(at now: ContinuousClock.Instant) -> (status: Int, text: String) {
        if isRestarting(at: now) { return (503, "not-ready") }
        if !activeFaults.isReady(at: now) { return (503, "not-ready") }
        return (200, "healthy")
    }

    // MARK: - Tokens

    /// The verifier the backend uses now (the auth service's secret unless `secret-mismatch` is on).
    /// Synchronous, so the event loop decides an upgrade without waiting for the cooperative pool.
    func backendVerifier() -> TokenVerifier {
        let secret = activeFaults.settings.verificationSecret
        return verifiers.withLock { cache in
            if let cached = cache[secret] { return cached }
            let verifier = TokenVerifier(secret: secret, issuer: configuration.issuer, audience: configuration.audience)
            cache[secret] = verifier
            return verifier
        }
    }
}
