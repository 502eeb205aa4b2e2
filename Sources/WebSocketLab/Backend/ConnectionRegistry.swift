import NIOCore
import Synchronization

/// The open WebSocket connections of the backend, so that a restart or a shutdown can reach each one.
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[String: any Channel]>([:])

    /// Number of open connections.
    var count: Int { channels.withLock { $0.count } }

    func add(_ id: String, _ channel: any Channel) {
        channels.withLock { $0[id] = channel }
    }

    func remove(_ id: String) {
        _ = channels.withLock { $0.removeValue(forKey: id) }
    }

    /// Delivers `event` to every connection's handler (on its own event loop).
    func broadcast(_ event: LabControlEvent) {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(event)
        }
    }

    /// Closes every connection's transport (used after a bounded wait in shutdown).
    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.close(promise: nil)
        }
    }
}

/// A server-wide instruction delivered to each connection's handler.
enum LabControlEvent: Sendable {
    /// Graceful restart: close 1012 "Service restart".
    case restart
    /// Shutdown: close 1001 "Server shutting down".
    case shutdown
}
