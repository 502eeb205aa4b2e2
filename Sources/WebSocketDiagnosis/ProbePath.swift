/// Which way an attempt went: through the front the user named, or straight to the backend (`--direct`).
public enum ProbePath: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// The target as given: through whatever load balancer, proxy or CDN stands in front.
    case front
    /// The backend itself, bypassing the front: the comparison run.
    case direct

    public var description: String { rawValue }
}
