import WebSocketWire

/// `rewrite-close`: changes the code of close frames from `from` to `to` (reason kept) — a front
/// that normalises close codes, hiding (or faking) an application's 1011.
public struct RewriteCloseFault: FrameFault {
    public static let descriptor = FaultDescriptor(
        name: "rewrite-close", summary: "rewrite close frame code A to B",
        parameters: [.init("from", "code to match, or 'any'; default 1011"), .init("to", "new code; default 1000")])

    /// The code to match; nil matches every close frame with a code.
    public var from: Int?
    /// The code written instead.
    public var to: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        from = spec.parameters["from"]?.lowercased() == "any" ? nil : try spec.int("from", default: 1011, in: 1000...4999)
        to = try spec.int("to", default: 1000, in: 1000...4999)
    }

    public func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict {
        guard frame.header.opcode == .close, var payload = frame.controlPayload,
            let code = ClosePayload.peekCode(payload), from == nil || code.rawValue == from
        else { return .forward }
        // The code may be one that must not be on the wire (a front faking 1006): written unvalidated, on purpose.
        payload.replaceSubrange(0..<2, with: ClosePayload(code: CloseCode(to)).unvalidatedEncoding())
        frame.controlPayload = payload
        return .forward
    }
}
