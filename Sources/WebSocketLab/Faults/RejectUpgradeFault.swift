/// `reject-upgrade`: answers upgrade requests with an HTTP status and a body, never reaching the
/// backend — a WAF (403), an out-of-capacity front (429), an unreachable (502) or too-slow (504)
/// upstream, a front that is shutting down (503).
public struct RejectUpgradeFault: HandshakeFault {
    public static let descriptor = FaultDescriptor(
        name: "reject-upgrade", summary: "answer the upgrade with 403, 429, 502, 503 or 504",
        parameters: [
            .init("status", "403, 429, 502, 503 or 504; default 503"), .init("body", "response body; default a short text per status"),
        ])

    /// Statuses a front end really answers an upgrade with.
    public static let allowedStatuses = [403, 429, 502, 503, 504]

    /// The status answered.
    public var status: Int
    /// The response body.
    public var body: String

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        status = try spec.int("status", default: 503)
        guard Self.allowedStatuses.contains(status) else {
            throw FaultSpecError(
                spec: spec.description,
                message: "'status' must be one of \(Self.allowedStatuses.map(String.init).joined(separator: ", ")), got \(status)")
        }
        body = try spec.string("body", default: Self.defaultBody(status))
    }

    /// The body a typical front sends with `status`.
    public static func defaultBody(_ status: Int) -> String {
        switch status {
        case 403: "Forbidden: request blocked by the front end"
        case 429: "Rate exceeded."
        case 502: "Bad Gateway: upstream connection failed"
        case 504: "Gateway Timeout: upstream did not answer in time"
        default: "Service Unavailable"
        }
    }

    public func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction {
        context.isUpgrade ? .respond(status: status, body: body) : .forward
    }
}
