import WebSocketDiagnosis
import WebSocketWire

/// A protocol violation found in what the peer sent, with the close code to fail the connection with.
public struct FrameViolation: Sendable, Equatable, Error {
    /// The typed finding.
    public var code: FindingCode
    /// What exactly was wrong.
    public var detail: String
    /// The close code to send (1002 protocol error, 1007 invalid payload, 1009 too big).
    public var closeCode: Int
    /// The header of the offending frame as read, when it was parsed (for the frame log).
    public var header: FrameHeader?

    /// A violation with its finding code, detail, close code and frame header.
    public init(code: FindingCode, detail: String, closeCode: Int, header: FrameHeader? = nil) {
        self.code = code
        self.detail = detail
        self.closeCode = closeCode
        self.header = header
    }

    /// A violation whose close code is named from the registry (`.protocolError`).
    public init(code: FindingCode, detail: String, closeCode: CloseCode, header: FrameHeader? = nil) {
        self.init(code: code, detail: detail, closeCode: closeCode.rawValue, header: header)
    }
}
