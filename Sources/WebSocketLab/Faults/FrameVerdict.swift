/// What a frame fault decided.
public enum FrameVerdict: Sendable, Equatable {
    /// Forward the frame (as edited).
    case forward
    /// Drop the frame (and, for the first frame of a fragmented message, the rest of the message).
    case drop
}
