import Synchronization
import NIOCore
import WebSocketProbe

/// State shared by every connection of one lab: configuration, active faults, verifiers, connections.
final class LabState: Sendable {
    let configuration: LabConfiguration
    let auth: AuthService
    let connections = ConnectionRegistry()
    let startedAt: ContinuousClock.Instant
    private let faults = Mutex<[any AppFault]>([])
    private let refusingUntil = Mutex<ContinuousClock.Instant?>(nil)
    private let verifiers = Mutex<[String: TokenVerifier]>([:])

    init(configuration: LabConfiguration, auth: AuthService) {
        self.configuration = configuration
        self.auth = auth
        self.startedAt = .now
    }

    // MARK: - Faults

    /// The faults active now.
    var activeFaults: [any AppFault] { faults.withLock { $0 } }

    /// Replaces the active faults; carries out a restart when one asks for it.
    func setFaults(_ new: [any AppFault]) {
        faults.withLock { $0 = new }
        if let plan = new.compactMap(\.restartOnActivation).first {
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
        activeFaults.compactMap(\.heartbeat).first ?? configuration.heartbeat
    }

    /// The inbound message limit in force.
    var messageLimit: Int {
        activeFaults.compactMap(\.messageLimit).reduce(configuration.maxMessageBytes, min)
    }

    /// Whether the backend echoes `jwt-auth`.
    var echoesSubprotocol: Bool { activeFaults.allSatisfy(\.echoesSubprotocol) }

    /// The state `/health` reports.
    func health(at now: ContinuousClock.Instant) -> (status: Int, text: String) {
        if isRestarting(at: now) { return (503, "not-ready") }
        for case let fault as NotReadyAppFault in activeFaults where fault.isNotReady(at: now) { return (503, "not-ready") }
        return (200, "healthy")
    }

    // MARK: - Tokens

    /// The verifier the backend uses now (the auth service's secret unless `secret-mismatch` is on).
    /// Synchronous, so the event loop decides an upgrade without waiting for the cooperative pool.
    func backendVerifier() -> TokenVerifier {
        let secret = activeFaults.compactMap(\.verificationSecret).first ?? configuration.jwtSecret
        return verifiers.withLock { cache in
            if let cached = cache[secret] { return cached }
            let verifier = TokenVerifier(secret: secret, issuer: configuration.issuer, audience: configuration.audience)
            cache[secret] = verifier
            return verifier
        }
    }
}
