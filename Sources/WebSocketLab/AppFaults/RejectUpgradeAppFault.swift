/// `reject-upgrade[:status=500]`: the app raises before accept; the upgrade gets HTTP 500 with the 21-byte
/// body `Internal Server Error` (uvicorn), or another refusal status (403, 429, 503).
public struct RejectUpgradeAppFault: AppFault {
    public static let name = "reject-upgrade"
    public static let parameterNames: Set<String> = ["status"]
    public static let summary = "refuse every upgrade before accept with HTTP 500 \"Internal Server Error\" (status=500|403|429|503)"
    /// The refusal.
    public let refusal: HTTPRefusal

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        let status = try spec.int("status", default: 500, in: 400...599)
        refusal = HTTPRefusal.plain(status: status)
    }

    public func upgradeRefusal(at now: ContinuousClock.Instant) -> HTTPRefusal? { refusal }
}
