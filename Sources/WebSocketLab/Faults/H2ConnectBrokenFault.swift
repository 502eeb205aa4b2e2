/// `h2-connect-broken`: the front advertises WebSockets over HTTP/2 (`SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`)
/// and then fails every extended CONNECT — with a status, an `RST_STREAM`, or a 200 followed at once by an
/// `RST_STREAM` — while HTTP/1.1 upgrades on the same port keep working. Browsers, which take the setting at
/// its word and do not fall back, fail with 1006; curl and every HTTP/1.1 CLI client work (golang/go#71128,
/// mattermost/mattermost#30285). Needs the proxy to serve HTTP/2 (`--http2`).
public struct H2ConnectBrokenFault: HTTP2ConnectFault {
    public static let descriptor = FaultDescriptor(
        name: "h2-connect-broken", summary: "advertise WebSockets over HTTP/2, then fail the extended CONNECT (needs --http2)",
        parameters: [
            .init("mode", "status (answer a status), reset (RST_STREAM) or accept-reset (200, then RST_STREAM); default status"),
            .init("status", "the status for mode=status, 400…599; default 501"),
            .init(
                "code",
                "the RST_STREAM error code for the reset modes, by name (PROTOCOL_ERROR) or number; default PROTOCOL_ERROR for reset, CANCEL for accept-reset"
            ),
        ])

    public let connectFailure: HTTP2ConnectFailure

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        let mode = try spec.string("mode", default: "status")
        switch mode {
        case "status":
            guard spec.parameters["code"] == nil else {
                throw FaultSpecError(spec: spec.description, message: "'code' goes with mode=reset or mode=accept-reset, not mode=status")
            }
            let status = try spec.int("status", default: 501)
            guard (400...599).contains(status) else {
                throw FaultSpecError(spec: spec.description, message: "'status' must be 400…599 (a refusal), got \(status)")
            }
            connectFailure = .status(status)
        case "reset", "accept-reset":
            guard spec.parameters["status"] == nil else {
                throw FaultSpecError(spec: spec.description, message: "'status' goes with mode=status, not mode=\(mode)")
            }
            let code = try Self.errorCode(spec, default: mode == "reset" ? 0x1 : 0x8)
            connectFailure = mode == "reset" ? .reset(code: code) : .acceptThenReset(code: code)
        default:
            throw FaultSpecError(spec: spec.description, message: "'mode' must be status, reset or accept-reset, got '\(mode)'")
        }
    }

    private static func errorCode(_ spec: FaultSpec, default value: UInt32) throws(FaultSpecError) -> UInt32 {
        guard let raw = spec.parameters["code"] else { return value }
        if let index = HTTP2ConnectFailure.errorCodeNames.firstIndex(of: raw.uppercased()) { return UInt32(index) }
        let digits = raw.lowercased().hasPrefix("0x") ? UInt32(raw.dropFirst(2), radix: 16) : UInt32(raw)
        guard let digits else {
            throw FaultSpecError(
                spec: spec.description,
                message:
                    "'code' must be an HTTP/2 error code name (\(HTTP2ConnectFailure.errorCodeNames.joined(separator: ", "))) or number, got '\(raw)'"
            )
        }
        return digits
    }
}
