/// `strip-upgrade`: drops `Upgrade` and `Connection` and sends the request upstream as HTTP/1.0 —
/// nginx without `proxy_set_header Upgrade`/`Connection` (its default `proxy_http_version 1.0`).
/// The backend sees plain HTTP and answers 404, 426 or 400.
public struct StripUpgradeFault: HandshakeFault {
    public static let descriptor = FaultDescriptor(
        name: "strip-upgrade", summary: "drop Upgrade/Connection and downgrade the request to HTTP/1.0",
        defaultDirection: .upstream)

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
    }

    public func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction {
        head.headers.remove("Upgrade")
        head.headers.remove("Connection")
        head.version = "HTTP/1.0"
        return .forward
    }
}
