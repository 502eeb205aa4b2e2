/// Which way a fault acts: `upstream` is client → server, `downstream` is server → client.
public enum FaultDirection: String, Sendable, Codable, CaseIterable {
    /// Client to server (the upgrade request, client frames).
    case upstream
    /// Server to client (the upgrade response, server frames).
    case downstream
    /// Both ways.
    case both

    /// Whether this direction covers `other` (`both` covers everything).
    public func includes(_ other: FaultDirection) -> Bool {
        self == .both || other == .both || self == other
    }
}
