import NIOCore
import WebSocketDiagnosis

/// What a ``WebSocketConnection`` keeps when its WebSocket runs over HTTP/2 (`--http2`, RFC 8441): the
/// extended CONNECT to send, the stream's state (shared with the channel's handler; it holds what the stream
/// carried until the connection takes it) and the slot where the channel hands over the opening.
final class HTTP2Transport: Sendable {
    /// The extended CONNECT: `:authority`, `:path`, subprotocols and the request headers (credentials, `Origin`).
    let request: HTTP2CheckHandler.Request
    /// The stream, as its handler drives it.
    let state = LockedBox(HTTP2WebSocketStream())
    /// The slot of the latest connection attempt.
    let slot = LockedBox<HTTP2StreamSlot?>(nil)

    /// The transport of `configuration` (its URL's authority and resource, subprotocols and headers).
    init(configuration: ClientConfiguration) {
        request = HTTP2CheckHandler.Request(
            authority: configuration.url.authority, path: configuration.url.resource, subprotocols: configuration.subprotocols,
            headers: configuration.headers)
    }

    /// The ALPN `h2` offer for the TLS handshake.
    static let applicationProtocols = ["h2"]

    /// The handler to put after TLS and before the WebSocket's handler on a new channel (on its loop); a
    /// new slot for this attempt.
    func gate(on eventLoop: any EventLoop) -> HTTP2TransportALPNHandler {
        let slot = HTTP2StreamSlot(eventLoop: eventLoop)
        self.slot.withLock { $0 = slot }
        return HTTP2TransportALPNHandler(transport: self, slot: slot)
    }

    /// The request as the transcript records it: the pseudo-headers, then the fields sent.
    func recordedRequest(by redactor: Redactor) -> HandshakeRequest {
        let fields = HTTP2CheckHandler.headers(for: request).map { HeaderField($0.name, $0.value) }
        return HandshakeRequest(
            method: "CONNECT", resource: redactor.url(request.path), headers: redactor.headers(fields),
            offeredSubprotocols: request.subprotocols.map(redactor.subprotocol))
    }
}
