import NIOHTTP1

/// An HTTP response that refuses a request (an upgrade, an auth call): status, content type and body.
public struct HTTPRefusal: Sendable, Equatable {
    /// Status code (403, 429, 500, 503 …).
    public var status: Int
    /// `Content-Type` of the body.
    public var contentType: String
    /// The body.
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON body.
    public static func json(status: Int, _ object: LabJSON) -> HTTPRefusal {
        HTTPRefusal(status: status, contentType: "application/json", body: object.text)
    }

    /// A plain-text body with the status's reason phrase (500 → `Internal Server Error`, 21 bytes, like uvicorn).
    public static func plain(status: Int) -> HTTPRefusal {
        HTTPRefusal(status: status, contentType: "text/plain; charset=utf-8", body: reasonPhrase(status))
    }

    /// The standard reason phrase of `status`.
    public static func reasonPhrase(_ status: Int) -> String {
        // NIOHTTP1 knows every registered status; an unregistered one has an empty phrase.
        let phrase = HTTPResponseStatus(statusCode: status).reasonPhrase
        return phrase.isEmpty ? "Error" : phrase
    }
}
