import Foundation
import WebSocketProbe

/// Which deployment the suites run against, read once from the environment (`WS1011_TARGET=lab|staging`).
///
/// `lab` (default) starts the embedded lab. `staging` needs `WS1011_STAGING_URL`, `WS1011_BACKEND_URL`,
/// `WS1011_AUTH_URL` (defaults from ``StagingProfile``) and `WS1011_TOKEN` or `WS1011_JWT_SECRET`.
/// When staging is selected but incomplete, ``problems`` says what is missing and every test that needs a
/// target fails with that message — nothing passes silently.
public struct TestEnvironment: Sendable {
    /// The kind of target.
    public enum Target: String, Sendable, CaseIterable {
        /// The embedded lab (reference backend, auth service, fault proxy), started by the tests.
        case lab
        /// A real deployment named by the staging variables.
        case staging
    }

    /// Staging settings, complete or not.
    public struct Staging: Sendable {
        /// The WebSocket URL through the front (`WS1011_STAGING_URL`).
        public var websocketURL: String?
        /// The backend's HTTP base URL (`WS1011_BACKEND_URL`).
        public var backendURL: String?
        /// The auth service's base URL (`WS1011_AUTH_URL`).
        public var authURL: String?
        /// A literal token (`WS1011_TOKEN`); never recorded.
        public var token: String?
        /// An HS256 signing secret (`WS1011_JWT_SECRET`); never recorded.
        public var jwtSecret: String?
    }

    /// The kind of target selected (`WS1011_TARGET`, default `lab`).
    public var target: Target
    /// The staging settings read from the environment and the staging profile.
    public var staging: Staging
    /// Why the selected target cannot be used; empty when it can.
    public var problems: [String]

    /// The environment of this process.
    public static let current: TestEnvironment = resolve(ProcessInfo.processInfo.environment, profile: StagingProfile.load().profile)

    /// Resolves a target from `environment` and the staging `profile`.
    public static func resolve(_ environment: [String: String], profile: StagingProfile?) -> TestEnvironment {
        func value(_ key: String) -> String? {
            guard let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        var problems: [String] = []
        let raw = value("WS1011_TARGET")?.lowercased() ?? "lab"
        let target: Target
        if let t = Target(rawValue: raw) {
            target = t
        } else {
            target = .staging  // an unknown target must not silently fall back to the lab
            problems.append("WS1011_TARGET='\(raw)' is not a target: use lab or staging")
        }
        let staging = Staging(
            websocketURL: value("WS1011_STAGING_URL") ?? profile?.websocketURL,
            backendURL: value("WS1011_BACKEND_URL") ?? profile?.backendURL,
            authURL: value("WS1011_AUTH_URL") ?? profile?.authURL,
            token: value("WS1011_TOKEN"), jwtSecret: value("WS1011_JWT_SECRET"))
        if target == .staging {
            for (variable, url) in [
                ("WS1011_STAGING_URL", staging.websocketURL), ("WS1011_BACKEND_URL", staging.backendURL),
                ("WS1011_AUTH_URL", staging.authURL),
            ] {
                if let url {
                    if isPlaceholder(url) {
                        problems.append(
                            "\(variable) is the placeholder '\(url)' from Fixtures/config/staging.json: set \(variable) to your staging URL"
                        )
                    }
                } else {
                    problems.append("\(variable) is not set (and no staging profile gives one)")
                }
            }
            if staging.token == nil, staging.jwtSecret == nil {
                problems.append("neither WS1011_TOKEN nor WS1011_JWT_SECRET is set: staging needs a token or the signing secret")
            }
            if let url = staging.websocketURL, !isPlaceholder(url) {
                do { _ = try WebSocketURL(parsing: url) } catch { problems.append("WS1011_STAGING_URL: \(error.description)") }
            }
        }
        if let problem = TestContract.resolve(environment, staging: profile).problem { problems.append(problem) }
        return TestEnvironment(target: target, staging: staging, problems: problems)
    }

    /// Whether `url` is a placeholder (a host under the reserved `.invalid` or `example.*` names), not a real
    /// deployment: `Fixtures/config/staging.json` ships such placeholders so that nothing is ever probed by accident.
    public static func isPlaceholder(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased(), !host.isEmpty else { return false }
        return host == "invalid" || host.hasSuffix(".invalid") || host.hasSuffix(".example") || host == "example.com"
            || host.hasSuffix(".example.com") || host == "example.org" || host.hasSuffix(".example.org")
    }

    /// One message for a failed test: what is wrong with the selected target and how to fix it.
    public var problemSummary: String {
        "WS1011_TARGET=\(target.rawValue) cannot be used: " + problems.joined(separator: "; ")
            + ". Set the missing variables, or unset WS1011_TARGET to run against the embedded lab."
    }
}
