import Foundation

/// The keepalive a server announced in its own protocol when the connection opened: Engine.IO's open
/// packet (`0{"sid":…,"pingInterval":25000,"pingTimeout":20000,…}`) says how often the server will send its
/// ping packet `2` and how long it waits for the pong `3` before it closes the connection.
///
/// Recorded from the whole first inbound message, which a frame's 64-character preview cuts before these
/// fields (docs/FAILURE_SIGNATURES.md, "Keepalives and handler errors per library": Node engine.io
/// `lib/socket.ts` `onOpen`, python-engineio `engineio/base_socket.py` / `socket.py` send them in the open
/// packet).
public struct ApplicationKeepaliveAnnouncement: Codable, Sendable, Equatable {
    /// The protocol that announced it (`engine.io`).
    public var protocolName: String
    /// How often the server sends its application ping.
    public var pingIntervalMs: Double
    /// How long the server waits for the answer before it ends the connection.
    public var pingTimeoutMs: Double
    /// Offset of the message that announced it.
    public var atMs: Double

    public init(protocolName: String, pingIntervalMs: Double, pingTimeoutMs: Double, atMs: Double) {
        self.protocolName = protocolName
        self.pingIntervalMs = pingIntervalMs
        self.pingTimeoutMs = pingTimeoutMs
        self.atMs = atMs
    }

    /// The announcement in an inbound text message, when it is an Engine.IO open packet (`0` then a JSON
    /// object with numeric `pingInterval` and `pingTimeout`); `nil` for anything else.
    ///
    /// - Parameters:
    ///   - text: the whole message (only the first 4 KiB are read).
    ///   - atMs: when it arrived.
    public static func parse(_ text: String, atMs: Double) -> ApplicationKeepaliveAnnouncement? {
        guard text.hasPrefix("0{") else { return nil }
        let json = Data(text.utf8.dropFirst().prefix(4096))
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let interval = (object["pingInterval"] as? NSNumber)?.doubleValue,
            let timeout = (object["pingTimeout"] as? NSNumber)?.doubleValue, interval > 0, timeout > 0
        else { return nil }
        return ApplicationKeepaliveAnnouncement(protocolName: "engine.io", pingIntervalMs: interval, pingTimeoutMs: timeout, atMs: atMs)
    }
}
