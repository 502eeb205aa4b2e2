/// A usage or start-up error of the fault proxy (bad configuration, port in use).
public struct ProxyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and how to fix it.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }

    /// No upstream was given.
    public static let noUpstreams = ProxyError("the proxy needs at least one upstream: give --upstream HOST:PORT")
}
