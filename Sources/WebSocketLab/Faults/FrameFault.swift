/// A fault that acts on WebSocket frames after the 101, in its direction.
///
/// Data frames are offered at their header (no payload, which streams past uncopied); control
/// frames are offered whole, payload unmasked. Continuations follow the decision taken on the
/// first frame of their message.
public protocol FrameFault: Fault {
    /// Decides about one frame; may edit its header, and a control frame's payload.
    func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict
}
