import Foundation
import NIOCore
import NIOPosix
import WebSocketLab
import WebSocketProbe

/// The shared lab of a test process, started once (lazily) and reused by every test.
///
/// Phase 2 talks to the backend directly; Phase 3 goes through the fault proxy in its `cloud-run` preset with
/// `wss://` from the lab CA — a staging emulation with a front. With `WS1011_TARGET=staging` both return the
/// staging target instead, or throw a ``TargetUnavailable`` that says what is missing or unreachable.
public actor LabFixture {
    /// The process-wide fixture.
    public static let shared = LabFixture()

    private var lab: LabServer?
    private var starting: Task<LabServer, any Error>?

    /// Which path a test wants.
    public enum Path: Sendable {
        /// The backend directly (Phase 2).
        case direct
        /// Through the front (Phase 3).
        case front
    }

    /// The lab backend, started on first use.
    public func labServer() async throws -> LabServer {
        if let lab { return lab }
        if let starting { return try await starting.value }
        let task = Task { () throws -> LabServer in
            var configuration = LabConfiguration()
            configuration.users = TestUsers.all
            return try await LabServer.start(configuration)
        }
        starting = task
        let server = try await task.value
        lab = server
        return server
    }

    /// The target for `path`: the lab (direct or behind its front) or staging when selected.
    public func target(_ path: Path) async throws -> TestTarget {
        let environment = TestEnvironment.current
        if environment.target == .staging || !environment.problems.isEmpty {
            return try await stagingTarget(environment)
        }
        let lab = try await labServer()
        let direct = try WebSocketURL(parsing: lab.websocketURL)
        switch path {
        case .direct:
            return TestTarget(
                name: "lab (direct)", websocketURL: direct, backendWebSocketURL: nil, httpBaseURL: lab.httpBaseURL,
                authBaseURL: lab.authBaseURL, tls: .init(), credentials: .lab(lab), isLab: true)
        case .front:
            return try await frontTarget(lab: lab, direct: direct)
        }
    }

    // MARK: - Front

    private var front: TestTarget?
    private var frontStarting: Task<TestTarget, any Error>?
    private var frontProxy: FaultProxy?

    /// The `cloud-run` preset of the emulated front: a request timeout (lifetime cap) far above the longest
    /// Phase 3 test, so it never cuts one off, and a concurrency limit above what any test opens at once.
    public static let frontPreset = FaultSpec(name: "cloud-run", parameters: ["timeout": "600s", "max": "1000"])

    private func frontTarget(lab: LabServer, direct: WebSocketURL) async throws -> TestTarget {
        if let front { return front }
        if let frontStarting { return try await frontStarting.value }
        let task = Task { () throws -> (TestTarget, FaultProxy) in
            let authority = try LabCertificateAuthority.generate()
            var configuration = ProxyConfiguration(
                upstreams: [ProxyUpstream(host: lab.host, port: lab.port)], faults: [Self.frontPreset])
            configuration.tls = try authority.makeServerContext(.valid)
            let proxy = try await FaultProxy.start(configuration)
            var tls = ClientConfiguration.TLSSettings()
            tls.trustRootsPEM = [authority.rootCertificatePEM]
            let target = TestTarget(
                name: "lab (cloud-run front, wss)", websocketURL: try WebSocketURL(parsing: proxy.url(path: "/ws")),
                backendWebSocketURL: direct, httpBaseURL: lab.httpBaseURL, authBaseURL: lab.authBaseURL, tls: tls,
                credentials: .lab(lab), isLab: true)
            return (target, proxy)
        }
        frontStarting = Task { try await task.value.0 }
        let (target, proxy) = try await task.value
        front = target
        frontProxy = proxy
        return target
    }

    // MARK: - Staging

    private func stagingTarget(_ environment: TestEnvironment) async throws -> TestTarget {
        guard environment.problems.isEmpty, let ws = environment.staging.websocketURL, let backend = environment.staging.backendURL,
            let auth = environment.staging.authURL
        else { throw TargetUnavailable(message: environment.problemSummary) }
        let url = try WebSocketURL(parsing: ws)
        try await Self.checkReachable(host: url.host, port: url.port)
        let credentials: TestTarget.Credentials =
            if let secret = environment.staging.jwtSecret { .secret(secret) } else { .literal(environment.staging.token ?? "") }
        return TestTarget(
            name: "staging", websocketURL: url, backendWebSocketURL: nil, httpBaseURL: backend, authBaseURL: auth, tls: .init(),
            credentials: credentials, isLab: false)
    }

    /// Fails with a clear message when `host:port` does not accept a TCP connection within 10 s.
    static func checkReachable(host: String, port: Int) async throws {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port).get()
            try? await channel.close()
        } catch {
            throw TargetUnavailable(
                message:
                    "WS1011_TARGET=staging but \(host):\(port) is unreachable (\(error)); check WS1011_STAGING_URL and the network, or unset WS1011_TARGET to use the lab"
            )
        }
    }
}
