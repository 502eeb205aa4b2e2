import NIOCore
import Synchronization

/// A server's accepted connections, so that shutdown can close every one of them — NIO does not close
/// accepted connections when the listening socket closes. Used by the lab and the echo server.
final class ChildChannelTracker: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Tracks `channel` until it closes.
    func track(_ channel: any Channel) {
        insert(channel)
        channel.closeFuture.whenComplete { [self] _ in remove(channel) }
    }

    func insert(_ channel: any Channel) {
        channels.withLock { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var count: Int { channels.withLock { $0.count } }

    /// Closes every tracked connection and waits (bounded by each close) for them to finish closing.
    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
