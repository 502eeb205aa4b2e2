/// `strip-header`: removes a named header — from the upgrade request (`upstream`, default: a load
/// balancer that drops `Authorization` or `Sec-WebSocket-Protocol`) and/or from the response
/// (`downstream`: a server whose subprotocol echo never reaches the client).
public struct StripHeaderFault: HandshakeFault {
    public static let descriptor = FaultDescriptor(
        name: "strip-header", summary: "remove a named header from the upgrade request (or response)",
        parameters: [.init("name", "header name, e.g. Authorization; required")],
        defaultDirection: .upstream)

    /// The header removed (case-insensitive).
    public var headerName: String

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        headerName = try spec.string("name").trimmingCharacters(in: .whitespaces)
        guard !headerName.isEmpty, !headerName.contains(where: { $0 == ":" || $0 == " " }) else {
            throw FaultSpecError(spec: spec.description, message: "'name' must be a header name such as Authorization")
        }
    }

    public func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction {
        head.headers.remove(headerName)
        return .forward
    }

    public func response(_ head: inout ProxyResponseHead, context: HandshakeContext) {
        head.headers.remove(headerName)
    }

    public var description: String { "strip-header:name=\(headerName)" }
}
