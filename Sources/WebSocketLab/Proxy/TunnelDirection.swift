import NIOCore

/// One direction of a proxied connection after the handshake: frame tracking, fault stages, the
/// timed output queue, and the destination channel.
final class TunnelDirection {
    /// A queued item in the timed output queue.
    enum Item {
        case bytes(ByteBuffer, NIODeadline)
        case closeConnection(NIODeadline)
        case end(NIODeadline)

        var at: NIODeadline {
            switch self {
            case .bytes(_, let at), .closeConnection(let at), .end(let at): at
            }
        }
    }

    let direction: FaultDirection
    var destination: Channel?
    var tracker = FrameBoundaryTracker()
    var stages: [any StreamStage] = []
    /// The timed output queue; changed only through ``enqueue(_:)``, ``dequeueFirst()`` and ``clearQueue()``,
    /// which keep ``queueIsEmpty`` in step.
    private(set) var queue = CircularBuffer<Item>()
    /// Whether the output queue is empty: a plain flag, so that the pass-through path (every read) need not
    /// read the queue itself, whose accesses the runtime checks for exclusivity.
    private(set) var queueIsEmpty = true
    var queuedBytes = 0
    var lastQueued = NIODeadline.uptimeNanoseconds(0)
    var timer: Scheduled<Void>?
    var timerDeadline: NIODeadline?
    /// After an injected close: nothing more is forwarded this way; the tracker still watches.
    var blocked = false
    /// The source ended; the end is queued or passed on.
    var sourceEnded = false
    /// Bytes seen from the source, for idle tracking: kept only while an idle timer watches (``tracksActivity``),
    /// so that a tunnel without one reads no clock per read.
    var lastActivity = NIODeadline.now()
    var tracksActivity = false

    // Frame-fault state.
    var heldControl = false
    var droppingFrame = false
    var droppingMessage = false
    var currentFrameIsControlHeld = false

    init(direction: FaultDirection) { self.direction = direction }

    /// Appends `item` to the output queue.
    func enqueue(_ item: Item) {
        queue.append(item)
        queueIsEmpty = false
    }

    /// Removes and returns the first item of the output queue (which must not be empty).
    func dequeueFirst() -> Item {
        let item = queue.removeFirst()
        queueIsEmpty = queue.isEmpty
        return item
    }

    /// Empties the output queue.
    func clearQueue() {
        queue.removeAll()
        queueIsEmpty = true
    }

    /// Whether the destination can take more without growing memory past `limit`.
    func canAccept(limit: Int) -> Bool {
        guard let destination else { return false }
        return destination.isWritable && queuedBytes < limit
    }
}
