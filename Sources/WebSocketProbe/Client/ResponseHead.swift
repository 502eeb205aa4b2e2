import WebSocketDiagnosis

/// The status line and headers of an HTTP/1.x response.
public struct ResponseHead: Sendable, Equatable {
    /// `HTTP/1.1`.
    public var httpVersion: String
    public var status: Int
    public var reasonPhrase: String
    /// Headers in order, duplicates kept.
    public var headers: [HeaderField]

    /// A head with the given parts.
    public init(httpVersion: String, status: Int, reasonPhrase: String, headers: [HeaderField]) {
        self.httpVersion = httpVersion
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.headers = headers
    }
}
