/// A fault that acts on the HTTP upgrade: before the request goes upstream, and on the response
/// before it goes back to the client. Called only in the fault's direction (request = upstream,
/// response = downstream).
public protocol HandshakeFault: Fault {
    /// Edits the request in place, or answers / delays it.
    func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction
    /// Edits the upstream's response in place (default: nothing).
    func response(_ head: inout ProxyResponseHead, context: HandshakeContext)
}

extension HandshakeFault {
    public func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction { .forward }
    public func response(_ head: inout ProxyResponseHead, context: HandshakeContext) {}
}
