/// `frame-limit`: a front with a frame-size quota — a data frame longer than `bytes` is not forwarded; the
/// front closes the connection with `code` (1009, message too big) to the frame's sender and ends it. AWS API
/// Gateway WebSocket APIs allow 32 KB frames ("WebSocket frame size", API Gateway quotas:
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html) and close 1009 above it.
///
/// The default direction is `upstream` (frames the client sends); `downstream` limits the server's frames.
public struct FrameLimitFault: FrameFault {
    public static let descriptor = FaultDescriptor(
        name: "frame-limit", summary: "close 1009 to the sender of a data frame longer than a size (a front's frame quota)",
        parameters: [
            .init("bytes", "the longest data frame forwarded, e.g. 32768; required"),
            .init("code", "the close code sent to the frame's sender; default 1009"),
            .init("reason", "the close reason; default empty"),
        ],
        defaultDirection: .upstream)

    /// The longest data frame payload forwarded.
    public var bytes: Int
    /// The close code sent to the frame's sender.
    public var code: Int
    /// The close reason (≤ 123 bytes).
    public var reason: String

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        bytes = try spec.int("bytes", in: 0...Int(Int32.max))
        code = try spec.int("code", default: 1009, in: 1000...4999)
        reason = try spec.string("reason", default: "")
        guard reason.utf8.count <= 123 else {
            throw FaultSpecError(spec: spec.description, message: "'reason' is at most 123 bytes (a close frame holds 125)")
        }
    }

    public func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict {
        guard frame.header.isData, frame.header.payloadLength > UInt64(bytes) else { return .forward }
        // The close goes back to whoever sent the frame: the client for an upstream frame.
        return .end(.injectClose(code: code, reason: reason, direction: direction == .downstream ? .upstream : .downstream))
    }
}
