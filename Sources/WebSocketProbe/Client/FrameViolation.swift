import WebSocketDiagnosis

/// A protocol violation found in what the peer sent, with the close code to fail the connection with.
public struct FrameViolation: Sendable, Equatable, Error {
    /// The typed finding.
    public var code: FindingCode
    /// What exactly was wrong.
    public var detail: String
    /// The close code to send (1002 protocol error, 1007 invalid payload, 1009 too big).
    public var closeCode: Int
    /// The header of the offending frame, when it was parsed (for the frame log).
    public var header: FrameHeader?

    /// A violation with its finding code, detail, close code and frame header.
    public init(code: FindingCode, detail: String, closeCode: Int, header: FrameHeader? = nil) {
        self.code = code
        self.detail = detail
        self.closeCode = closeCode
        self.header = header
    }
}

/// The fixed part of a frame: enough to log it even when its payload is refused.
public struct FrameHeader: Sendable, Equatable {
    public var fin: Bool
    public var rsv: UInt8
    public var opcode: UInt8
    public var masked: Bool
    /// The declared payload length (may be absurd: it comes from the peer).
    public var length: UInt64
    /// Bytes of header (2–14).
    public var headerBytes: Int
}
