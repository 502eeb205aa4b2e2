/// How the proxy picks an upstream instance for a new connection.
public enum ProxyBalancing: Sendable, Equatable {
    /// Each new connection goes to the next instance.
    case roundRobin
    /// Round-robin for a client without the cookie; the proxy sets cookie `name` to the instance
    /// index on the response, and a client that sends it back goes to the same instance.
    case stickyCookie(String)
}
