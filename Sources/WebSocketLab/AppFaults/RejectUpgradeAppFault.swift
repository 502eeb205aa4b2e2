/// `reject-upgrade[:status=500]`: the app raises before accept; the upgrade gets HTTP 500 with the 21-byte
/// body `Internal Server Error` (uvicorn), or another refusal status (403, 429, 503).
public struct RejectUpgradeAppFault: UpgradeAppFault {
    public static let descriptor = FaultDescriptor(
        name: "reject-upgrade",
        summary: "refuse every upgrade before accept with HTTP 500 \"Internal Server Error\" (status=500|403|429|503)",
        parameters: [.init("status", "HTTP status 400…599; default 500")])

    /// The refusal.
    public let refusal: HTTPRefusal

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        let status = try spec.int("status", default: 500, in: 400...599)
        refusal = HTTPRefusal.plain(status: status)
    }

    public func upgradeRefusal(activeFor: Duration) -> HTTPRefusal? { refusal }
}
