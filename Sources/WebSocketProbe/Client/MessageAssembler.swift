import WebSocketDiagnosis
import WebSocketWire

/// Sans-I/O reassembly of data frames into messages (RFC 6455 §5.4), with UTF-8 checks (§8.1).
public struct MessageAssembler: Sendable {
    /// A complete data message.
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    /// What one data frame produced.
    public enum Output: Sendable, Equatable {
        /// A fragment was buffered; the message is not complete yet.
        case fragmentBuffered
        case message(Message)
        case violation(FrameViolation)
    }

    /// The largest reassembled message accepted.
    public var maxMessageBytes: Int
    /// The most frames one message may span (empty fragments cost no bytes, so bytes alone do not bound them).
    public var maxFragments: Int
    private var pendingOpcode: FrameOpcode?
    private var pending: [UInt8] = []
    private var fragments = 0

    /// An assembler accepting messages up to `maxMessageBytes` (default 64 MiB) spanning at most
    /// `maxFragments` frames (default 10,000).
    public init(maxMessageBytes: Int = 64 << 20, maxFragments: Int = 10_000) {
        self.maxMessageBytes = maxMessageBytes
        self.maxFragments = max(1, maxFragments)
    }

    /// `true` while a fragmented message is being received.
    public var isInsideMessage: Bool { pendingOpcode != nil }

    /// Feeds one data frame (text, binary or continuation). Control frames must not be fed.
    /// `inflate`, when given, decompresses a complete message whose first frame had RSV1 set.
    public mutating func push(_ frame: WebSocketFrame, compressed: Bool = false, inflate: ((ArraySlice<UInt8>) -> [UInt8]?)? = nil)
        -> Output
    {
        switch frame.opcode {
        case .continuation:
            guard pendingOpcode != nil else {
                return .violation(
                    FrameViolation(
                        code: .badContinuation, detail: "continuation frame with no fragmented message started", closeCode: .protocolError))
            }
        case .text, .binary:
            guard pendingOpcode == nil else {
                return .violation(
                    FrameViolation(
                        code: .badContinuation,
                        detail: "new \(frame.opcode.name) frame inside a fragmented message (expected a continuation)",
                        closeCode: .protocolError))
            }
            pendingOpcode = frame.opcode
            pending = []
            fragments = 0
        default:
            return .violation(FrameViolation(code: .reservedOpcode, detail: "not a data frame", closeCode: .protocolError))
        }
        fragments += 1
        guard fragments <= maxFragments else {
            reset()
            return .violation(
                FrameViolation(code: .tooManyFragments, detail: "message spans more than \(maxFragments) frames", closeCode: .messageTooBig)
            )
        }
        guard pending.count + frame.payload.count <= maxMessageBytes else {
            let size = pending.count + frame.payload.count
            reset()
            return .violation(
                FrameViolation(
                    code: .oversizedMessage, detail: "message of at least \(size) bytes exceeds the \(maxMessageBytes)-byte limit",
                    closeCode: .messageTooBig))
        }
        var bytes: [UInt8]
        if frame.fin && pending.isEmpty {
            // An unfragmented message (the usual case): its payload is the message, no copy.
            bytes = frame.payload
        } else {
            pending.append(contentsOf: frame.payload)
            guard frame.fin else { return .fragmentBuffered }
            bytes = pending
        }
        guard let opcode = pendingOpcode else { return .fragmentBuffered }
        reset()
        if compressed, let inflate {
            guard let inflated = inflate(bytes[...]) else {
                return .violation(
                    FrameViolation(
                        code: "frame.bad-compression", detail: "permessage-deflate payload could not be inflated",
                        closeCode: .invalidPayload))
            }
            guard inflated.count <= maxMessageBytes else {
                return .violation(
                    FrameViolation(
                        code: .oversizedMessage,
                        detail: "inflated message of \(inflated.count) bytes exceeds the \(maxMessageBytes)-byte limit",
                        closeCode: .messageTooBig))
            }
            bytes = inflated
        }
        if opcode == .text {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .violation(
                    FrameViolation(
                        code: .invalidUTF8, detail: "text message of \(bytes.count) bytes is not valid UTF-8", closeCode: .invalidPayload))
            }
            return .message(.text(text))
        }
        return .message(.binary(bytes))
    }

    private mutating func reset() {
        pendingOpcode = nil
        pending = []
        fragments = 0
    }
}
