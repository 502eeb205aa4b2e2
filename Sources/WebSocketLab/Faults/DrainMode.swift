/// How the connections of a drained instance end.
public enum DrainMode: String, Sendable, Codable, CaseIterable {
    /// TCP FIN, no close frame: the instance was killed (1006 at the client).
    case fin
    /// A close frame 1001 "going away" to the client, then TCP close: the app handled SIGTERM.
    case goingAway = "1001"
}
