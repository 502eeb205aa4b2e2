/// The same upgrade sent again with an `Origin` header (`--origin`), to test the server's Origin check.
///
/// A CLI client sends no `Origin`; many servers refuse such an upgrade, or one whose origin they do not
/// allow, with 403. When the retry with an origin passes where the plain attempt was refused, the Origin
/// check is the cause and the fix is to allow that origin — not to send a token.
public struct OriginCheck: Codable, Sendable, Equatable {
    /// The `Origin` value the retry sent (`https://app.example.com`).
    public var origin: String
    /// Whether the retry's upgrade succeeded (HTTP 101 accepted).
    public var opened: Bool
    /// The retry's HTTP status, when an answer came.
    public var status: Int?

    public init(origin: String, opened: Bool, status: Int? = nil) {
        self.origin = origin
        self.opened = opened
        self.status = status
    }
}
