/// `corrupt-frame`: sets a reserved bit on data frames; a conforming peer fails the connection
/// with 1002 (protocol error), or 1007 when RSV1 lands on a permessage-deflate connection.
public struct CorruptFrameFault: FrameFault {
    public static let descriptor = FaultDescriptor(
        name: "corrupt-frame", summary: "set RSV bits on data frames (peer answers 1002)",
        parameters: [.init("rsv", "which bit: 1, 2, 3 or all; default 2")])

    /// The bits to set (RSV1 = 4, RSV2 = 2, RSV3 = 1).
    public var bits: UInt8

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        switch try spec.string("rsv", default: "2").lowercased() {
        case "1": bits = 4
        case "2": bits = 2
        case "3": bits = 1
        case "all": bits = 7
        case let other: throw FaultSpecError(spec: spec.description, message: "'rsv' must be 1, 2, 3 or all, got '\(other)'")
        }
    }

    public func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict {
        if frame.header.isData { frame.header.rsv |= bits }
        return .forward
    }
}
