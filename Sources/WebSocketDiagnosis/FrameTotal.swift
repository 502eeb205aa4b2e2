/// How many frames of one direction and opcode a connection carried, and their payload bytes.
public struct FrameTotal: Codable, Sendable, Equatable {
    public var direction: Direction
    /// `text`, `binary`, `continuation`, `ping`, `pong`, `close`, or `reserved-0xN`.
    public var opcode: String
    public var count: Int
    public var payloadBytes: Int

    public init(direction: Direction, opcode: String, count: Int = 0, payloadBytes: Int = 0) {
        self.direction = direction
        self.opcode = opcode
        self.count = count
        self.payloadBytes = payloadBytes
    }
}
