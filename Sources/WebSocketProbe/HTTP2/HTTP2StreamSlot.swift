import NIOCore

/// Where the channel of one connection attempt hands the opening of its HTTP/2 stream to the connection:
/// a promise completed once, by whichever comes first (the answer, an ending, the connection's bound).
final class HTTP2StreamSlot: Sendable {
    /// Completed with the first outcome.
    let promise: EventLoopPromise<HTTP2StreamOpening>
    private let completed = LockedBox(false)

    /// A slot on `eventLoop` (the channel's).
    init(eventLoop: any EventLoop) {
        promise = eventLoop.makePromise(of: HTTP2StreamOpening.self)
    }

    /// Completes the slot with `opening` unless it is already complete.
    func complete(_ opening: HTTP2StreamOpening) {
        let first = completed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { promise.succeed(opening) }
    }
}
