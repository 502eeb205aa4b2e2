/// `inject-close`: sends a close frame the application never sent (`code`, `reason`) `after` the
/// 101, to the client (`downstream`, default), the server (`upstream`) or both, then ends the
/// connection — an edge that closes on its own (Cloudflare's 1001 restart) or a fake 1011.
public struct InjectCloseFault: ConnectionTimerFault {
    public static let descriptor = FaultDescriptor(
        name: "inject-close", summary: "send a close frame with a code and reason after a time",
        parameters: [
            .init("code", "close code; default 1011"), .init("reason", "close reason; default empty"),
            .init("after", "time after the 101; default 0s"),
        ],
        defaultDirection: .downstream)

    /// The close code sent.
    public var code: Int
    /// The close reason sent (≤ 123 bytes).
    public var reason: String
    /// Time after the 101.
    public var after: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        code = try spec.int("code", default: 1011, in: 1000...4999)
        reason = try spec.string("reason", default: "")
        guard reason.utf8.count <= 123 else {
            throw FaultSpecError(spec: spec.description, message: "'reason' is at most 123 bytes (a close frame holds 125)")
        }
        after = try spec.duration("after", default: .zero)
    }

    public func timers(direction: FaultDirection) -> [ConnectionTimer] {
        [ConnectionTimer(start: .upgrade, after: after, action: .injectClose(code: code, reason: reason, direction: direction))]
    }
}
