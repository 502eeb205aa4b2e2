/// What a handshake fault may consult about the proxy when a request arrives.
public struct HandshakeContext: Sendable {
    /// Whether the (original) request asks for a WebSocket upgrade.
    public var isUpgrade: Bool
    /// WebSocket connections currently open through the proxy (not counting this one).
    public var openWebSockets: Int
    /// Upgrade requests received so far, this one included (1 for the first).
    public var upgradeRequestNumber: Int

    /// Creates a context.
    public init(isUpgrade: Bool, openWebSockets: Int, upgradeRequestNumber: Int) {
        self.isUpgrade = isUpgrade
        self.openWebSockets = openWebSockets
        self.upgradeRequestNumber = upgradeRequestNumber
    }
}
