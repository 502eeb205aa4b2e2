import WebSocketLab
import WebSocketProbe

/// The embedded lab started for one probe: where to connect, as which test user, and which root to trust.
///
/// `ws1011 diagnose` without a URL probes this; the CLI only parses its options into the plan and asks
/// the lab to ``authorize(_:)`` it.
///
/// ```swift
/// let lab = try await LabProbeTarget.start()
/// var plan = ProbePlan(target: lab.url)
/// try await lab.authorize(&plan)
/// let report = try await ProbeRunner(plan: plan).run()
/// await lab.shutdown()
/// ```
public struct LabProbeTarget: Sendable {
    /// The running lab.
    public let lab: LabServer
    /// The lab's WebSocket endpoint.
    public let url: WebSocketURL
    /// The test user the probe runs as (see ``probeUser(in:)``).
    public let user: TestUser

    /// Starts a lab with `configuration` (default: loopback, a free port, the default test users).
    /// - Throws: ``LabError`` when it cannot start, or when the configuration has no test user to probe as.
    public static func start(_ configuration: LabConfiguration = LabConfiguration()) async throws -> LabProbeTarget {
        guard let user = probeUser(in: configuration.users) else {
            throw LabError.configuration("no test user to probe as: give the lab at least one user")
        }
        let lab = try await LabServer.start(configuration)
        do {
            return LabProbeTarget(lab: lab, url: try WebSocketURL(parsing: lab.websocketURL), user: user)
        } catch {
            await lab.shutdown()
            throw error
        }
    }

    /// The user a probe of the lab runs as: the first that may run the agent (the reference profile's
    /// agent run needs `agent_execution`), else the first user.
    public static func probeUser(in users: [TestUser]) -> TestUser? {
        users.first { $0.permissions.contains(TestUser.agentExecution) } ?? users.first
    }

    /// Gives `plan` this user's credential (a token the lab minted) and the lab's root certificate to trust
    /// when it serves TLS.
    public func authorize(_ plan: inout ProbePlan) async throws {
        plan.token = .literal(try await lab.mintToken(email: user.email))
        if let pem = lab.rootCertificatePEM { plan.tls.trustRootsPEM.append(pem) }
    }

    /// Stops the lab.
    public func shutdown() async { await lab.shutdown() }
}
