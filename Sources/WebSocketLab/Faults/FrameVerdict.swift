/// What a frame fault decided.
public enum FrameVerdict: Sendable, Equatable {
    /// Forward the frame (as edited).
    case forward
    /// Drop the frame (and, for the first frame of a fragmented message, the rest of the message).
    case drop
    /// Drop the frame and end the connection as `action` says (a front refusing the frame: `frame-limit`).
    case end(ConnectionAction)
}
