import Crypto
import Foundation
import NIOCore
import WebSocketDiagnosis
import WebSocketWire

/// The decisions of one HTTP/2 stream at the proxy's HTTP/2 front, apart from its channels and timers: an
/// extended CONNECT (RFC 8441) bridged to the upstream as an HTTP/1.1 WebSocket upgrade, or a plain request
/// forwarded as an HTTP/1.1 request.
///
/// ``HTTP2FrontStreamHandler`` feeds it what happened — the request's HEADERS, DATA, `RST_STREAM`, the
/// upstream connected or not, its bytes, its end, the response timer — and performs the ``Action``s it
/// returns. The extended CONNECT becomes `GET` with `Upgrade: websocket`, a new `Sec-WebSocket-Key`,
/// `Host` from `:authority` and the client's other fields (credentials, subprotocols, extensions); the
/// upstream's 101 becomes `:status 200` with `sec-websocket-protocol`/`sec-websocket-extensions` echoed,
/// any other status is answered as that status; then bytes flow both ways as DATA. The upstream's end is
/// the stream's `END_STREAM`; the client's `END_STREAM` half-closes the upstream; its `RST_STREAM` closes it.
/// No socket, no clock: its tests drive every transition directly.
struct HTTP2FrontStreamStateMachine {
    /// What the stream carries.
    enum Kind: Sendable, Equatable {
        /// An extended CONNECT: a WebSocket.
        case webSocket
        /// A plain request (`GET /`, …) with this method.
        case request(method: String)
    }

    /// How a request body goes upstream.
    enum RequestBody: Sendable, Equatable {
        /// As is (`Content-Length` given, or a WebSocket's bytes).
        case raw
        /// In the chunked coding (no length given).
        case chunked
    }

    /// What the handler does next (in order, when several).
    enum Action: Equatable {
        /// Pick an instance, connect (bounded by the connect timeout), send `head`, then call
        /// ``upstreamConnected()`` or ``upstreamConnectFailed(_:)``.
        case connectUpstream(ProxyRequestHead)
        /// Write and flush these bytes to the upstream.
        case writeUpstream(ByteBuffer)
        /// Start the bound on the upstream's answer (``responseTimedOut()`` when it passes).
        case armResponseTimer
        /// Send the response HEADERS.
        case sendHeaders(status: Int, headers: [HeaderField], endStream: Bool)
        /// Send DATA.
        case sendData(ByteBuffer, endStream: Bool)
        /// Reset the stream with this RFC 9113 error code.
        case resetStream(code: UInt32)
        /// Shut the upstream's output (our side of the TCP connection: FIN), keep reading; close it fully
        /// if it has not closed within the answer timeout.
        case halfCloseUpstream
        /// Close the upstream.
        case closeUpstream
        /// The WebSocket is open (the shell counts it).
        case webSocketOpened
    }

    private struct Pending {
        var kind: Kind
        var body: RequestBody
        /// Client bytes held until they may go upstream.
        var held: ByteBuffer?
        /// The client ended its side (END_STREAM).
        var clientEnded: Bool
    }

    private struct AwaitingResponse {
        var pending: Pending
        var parser: HTTPHeadParser
        /// Interim (1xx) heads already passed over.
        var interim = 0
    }

    private struct Open {
        var kind: Kind
        var body: RequestBody
        var decoder: HTTP1BodyDecoder
        var clientEnded: Bool
    }

    private enum State {
        case awaitingHeaders
        case connecting(Pending)
        case awaitingResponse(AwaitingResponse)
        case open(Open)
        case done
    }

    /// The RFC 9113 §7 error codes used here.
    enum ErrorCode {
        static let protocolError: UInt32 = 0x1
        static let internalError: UInt32 = 0x2
        static let cancel: UInt32 = 0x8
    }

    /// The most interim (1xx) heads passed over before the upstream is taken as broken (502).
    static let maxInterimHeads = 8

    /// Hop-by-hop fields (RFC 9110 §7.6.1) and those HTTP/2 forbids (RFC 9113 §8.2.2): never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
    ]

    private var state: State = .awaitingHeaders
    private let key: String
    private let maxHeadBytes: Int
    /// What the stream is, once its HEADERS came.
    private(set) var kind: Kind?

    /// A stream whose upgrade will carry `key` as `Sec-WebSocket-Key`; response heads up to `maxHeadBytes`.
    init(key: String, maxHeadBytes: Int) {
        self.key = key
        self.maxHeadBytes = maxHeadBytes
    }

    /// The phase as a name, for tests and logs.
    var phase: String {
        switch state {
        case .awaitingHeaders: "awaitingHeaders"
        case .connecting: "connecting"
        case .awaitingResponse: "awaitingResponse"
        case .open: "open"
        case .done: "done"
        }
    }

    /// Whether the upstream is being connected (an upstream that connects later is a stray, closed at once).
    var isConnecting: Bool {
        if case .connecting = state { return true }
        return false
    }

    /// Whether the client's DATA must wait unread (the handler holds the stream's reads, so its flow-control
    /// window is not given back): while the upstream is being connected, and, for a WebSocket, until the
    /// upstream's 101. Whatever the client sends then is bounded by the stream's window.
    var holdsClientData: Bool {
        switch state {
        case .connecting: return true
        case .awaitingResponse(let a): return a.pending.kind == .webSocket
        case .awaitingHeaders, .open, .done: return false
        }
    }

    /// Whether the stream's work is over.
    var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    // MARK: - Client

    /// The request's HEADERS (`fields` with their pseudo-headers; names lower-case as HTTP/2 requires).
    /// `failure`: the `h2-connect-broken` behaviour rolled for this stream, applied to an extended CONNECT.
    mutating func headersReceived(_ fields: [HeaderField], endStream: Bool, failure: HTTP2ConnectFailure?) -> [Action] {
        guard case .awaitingHeaders = state else {
            // Trailers: only their END_STREAM matters.
            return endStream ? clientData(ByteBuffer(), endStream: true) : []
        }
        let method = fields.first(named: ":method") ?? ""
        let path = fields.first(named: ":path")
        let authority = fields.first(named: ":authority")
        let proto = fields.first(named: ":protocol")

        if method == "CONNECT" {
            guard let proto else {
                return answer(501, "the front does not tunnel with classic CONNECT; it bridges WebSockets (:protocol websocket)")
            }
            guard proto.lowercased() == "websocket" else { return answer(501, "unsupported :protocol '\(proto)': only websocket") }
            guard let path, !path.isEmpty, !endStream else {
                return answer(400, "an extended CONNECT needs :path and :scheme and must not end the stream (RFC 8441 §4)")
            }
            kind = .webSocket
            switch failure {
            case .status(let status):
                return answer(status, ProxyResponseHead.reasonPhrase(status))
            case .reset(let code):
                state = .done
                return [.resetStream(code: code)]
            case .acceptThenReset(let code):
                state = .done
                return [.sendHeaders(status: 200, headers: [], endStream: false), .resetStream(code: code)]
            case nil:
                break
            }
            var head = ProxyRequestHead(method: "GET", target: path)
            if let host = authority ?? fields.first(named: "host") { head.headers.add("Host", host) }
            for field in Self.forwardable(fields) where field.name.lowercased() != "sec-websocket-key" {
                head.headers.add(field.name, field.value)
            }
            Self.addVia(&head)
            head.headers.add("Upgrade", "websocket")
            head.headers.add("Connection", "Upgrade")
            head.headers.add("Sec-WebSocket-Key", key)
            if head.headers.first("Sec-WebSocket-Version") == nil { head.headers.add("Sec-WebSocket-Version", "13") }
            state = .connecting(Pending(kind: .webSocket, body: .raw, held: nil, clientEnded: false))
            return [.connectUpstream(head)]
        }

        guard !method.isEmpty, let path, !path.isEmpty else { return answer(400, "a request needs :method and :path") }
        kind = .request(method: method)
        var head = ProxyRequestHead(method: method, target: path)
        // RFC 9113 §8.3.1: a request may carry `host` instead of `:authority`.
        if let host = authority ?? fields.first(named: "host") { head.headers.add("Host", host) }
        for field in Self.forwardable(fields) { head.headers.add(field.name, field.value) }
        var body = RequestBody.raw
        if !endStream, head.headers.first("Content-Length") == nil {
            head.headers.add("Transfer-Encoding", "chunked")
            body = .chunked
        }
        Self.addVia(&head)
        // One request per upstream connection: the response ends with the connection at the latest.
        head.headers.add("Connection", "close")
        state = .connecting(Pending(kind: .request(method: method), body: body, held: nil, clientEnded: endStream))
        return [.connectUpstream(head)]
    }

    /// DATA from the client; `endStream` when it carries END_STREAM.
    mutating func clientData(_ buffer: ByteBuffer, endStream: Bool) -> [Action] {
        switch state {
        case .connecting(var p):
            p.held.append(Self.encode(buffer, p.body, end: endStream && !p.clientEnded))
            p.clientEnded = p.clientEnded || endStream
            state = .connecting(p)
            return []
        case .awaitingResponse(var a):
            if a.pending.kind == .webSocket {
                // A client waits for the 200 before sending (RFC 8441 §5); what comes early waits for the 101.
                a.pending.held.append(buffer)
                a.pending.clientEnded = a.pending.clientEnded || endStream
                state = .awaitingResponse(a)
                return []
            }
            let wasEnded = a.pending.clientEnded
            a.pending.clientEnded = wasEnded || endStream
            state = .awaitingResponse(a)
            let bytes = Self.encode(buffer, a.pending.body, end: endStream && !wasEnded)
            return bytes.readableBytes > 0 ? [.writeUpstream(bytes)] : []
        case .open(var o):
            guard !o.clientEnded else { return [] }
            o.clientEnded = endStream
            state = .open(o)
            var actions: [Action] = []
            let bytes = o.kind == .webSocket ? buffer : Self.encode(buffer, o.body, end: endStream)
            if bytes.readableBytes > 0 { actions.append(.writeUpstream(bytes)) }
            if endStream, o.kind == .webSocket { actions.append(.halfCloseUpstream) }
            return actions
        case .awaitingHeaders, .done:
            return []
        }
    }

    /// The client reset the stream, or the stream closed under us (the connection went away).
    mutating func clientReset() -> [Action] {
        switch state {
        case .done:
            return []
        case .awaitingHeaders:
            state = .done
            return []
        case .connecting, .awaitingResponse, .open:
            state = .done
            return [.closeUpstream]
        }
    }

    // MARK: - Upstream

    /// The upstream connected and has the request head: the held body follows, and the answer is awaited.
    mutating func upstreamConnected() -> [Action] {
        guard case .connecting(let p) = state else { return [.closeUpstream] }
        state = .awaitingResponse(
            AwaitingResponse(
                pending: p.kind == .webSocket ? p : Pending(kind: p.kind, body: p.body, held: nil, clientEnded: p.clientEnded),
                parser: HTTPHeadParser(maxBytes: maxHeadBytes)))
        if p.kind != .webSocket, let held = p.held, held.readableBytes > 0 { return [.writeUpstream(held), .armResponseTimer] }
        return [.armResponseTimer]
    }

    /// The upstream could not be reached (`detail` says why).
    mutating func upstreamConnectFailed(_ detail: String) -> [Action] {
        guard case .connecting = state else { return [] }
        return answer(502, "Bad Gateway: cannot connect to the upstream: \(detail)")
    }

    /// The upstream did not answer within the response timeout.
    mutating func responseTimedOut() -> [Action] {
        guard case .awaitingResponse = state else { return [] }
        return [.closeUpstream] + answer(504, "Gateway Timeout: upstream did not answer in time")
    }

    /// Bytes from the upstream.
    mutating func upstreamRead(_ buffer: ByteBuffer) -> [Action] {
        switch state {
        case .awaitingResponse(var a):
            let outcome = a.parser.feed(buffer)
            state = .awaitingResponse(a)
            switch outcome {
            case .needMore:
                return []
            case .tooLarge:
                return [.closeUpstream] + answer(502, "Bad Gateway: upstream response head too large")
            case .complete(let lines, let rest):
                guard let head = ProxyResponseHead(lines: lines) else {
                    return [.closeUpstream] + answer(502, "Bad Gateway: malformed upstream response head")
                }
                return responseHead(head, rest: rest, pending: a.pending, interim: a.interim)
            }
        case .open(var o):
            if o.kind == .webSocket { return buffer.readableBytes > 0 ? [.sendData(buffer, endStream: false)] : [] }
            guard let (body, complete) = o.decoder.feed(buffer) else {
                state = .done
                return [.closeUpstream, .resetStream(code: ErrorCode.protocolError)]
            }
            state = complete ? .done : .open(o)
            var actions: [Action] = []
            if body.readableBytes > 0 || complete { actions.append(.sendData(body, endStream: complete)) }
            if complete { actions.append(.closeUpstream) }
            return actions
        case .awaitingHeaders, .connecting, .done:
            return []
        }
    }

    /// The upstream's connection ended (FIN, reset or our own close).
    mutating func upstreamClosed() -> [Action] {
        switch state {
        case .awaitingResponse:
            return answer(502, "Bad Gateway: upstream closed the connection before answering")
        case .open(let o):
            state = .done
            if o.kind == .webSocket || o.decoder.framing == .untilClose { return [.sendData(ByteBuffer(), endStream: true)] }
            // A body cut short: the client must not take it as complete.
            return [.resetStream(code: ErrorCode.internalError)]
        case .awaitingHeaders, .connecting, .done:
            return []
        }
    }

    // MARK: - Transitions

    private mutating func responseHead(_ head: ProxyResponseHead, rest: ByteBuffer, pending: Pending, interim: Int) -> [Action] {
        switch pending.kind {
        case .webSocket where head.status == 101:
            // A 101 that is not an upgrade to WebSocket with our key's accept value is a broken upstream handshake,
            // not a WebSocket (RFC 6455 §4.1): answered 502, as the HTTP/1.1 client would refuse it.
            guard head.headers.contains("Upgrade", token: "websocket"),
                head.headers.first("Sec-WebSocket-Accept")?.trimmingCharacters(in: .whitespaces) == Self.acceptValue(for: key)
            else {
                return [.closeUpstream]
                    + answer(
                        502, "Bad Gateway: the upstream's 101 is not a WebSocket upgrade for this request (Upgrade or Sec-WebSocket-Accept)"
                    )
            }
            // RFC 8441 §5: the 2xx carries what the 101 negotiated; nothing of the HTTP/1.1 upgrade itself.
            var fields: [HeaderField] = []
            for name in ["sec-websocket-protocol", "sec-websocket-extensions"] {
                let values = head.headers.all(name)
                if !values.isEmpty { fields.append(HeaderField(name, values.joined(separator: ", "))) }
            }
            state = .open(
                Open(kind: .webSocket, body: .raw, decoder: HTTP1BodyDecoder(framing: .untilClose), clientEnded: pending.clientEnded))
            var actions: [Action] = [.webSocketOpened, .sendHeaders(status: 200, headers: fields, endStream: false)]
            if rest.readableBytes > 0 { actions.append(.sendData(rest, endStream: false)) }
            if let held = pending.held, held.readableBytes > 0 { actions.append(.writeUpstream(held)) }
            if pending.clientEnded { actions.append(.halfCloseUpstream) }
            return actions

        case .webSocket, .request:
            // A refused upgrade is relayed as a plain answer to a GET, body and all (the reason a 401 or a 503 gives).
            let method = if case .request(let method) = pending.kind { method } else { "GET" }
            if (100..<200).contains(head.status) {
                // An interim answer (100, 103): the final head follows — after a few at most.
                guard interim < Self.maxInterimHeads else {
                    return [.closeUpstream]
                        + answer(502, "Bad Gateway: more than \(Self.maxInterimHeads) interim answers from the upstream")
                }
                state = .awaitingResponse(
                    AwaitingResponse(pending: pending, parser: HTTPHeadParser(maxBytes: maxHeadBytes), interim: interim + 1))
                return rest.readableBytes > 0 ? upstreamRead(rest) : []
            }
            var decoder = HTTP1BodyDecoder(framing: HTTP1BodyDecoder.framing(status: head.status, method: method, headers: head.headers))
            let fields = Self.answerFields(head.headers, framing: decoder.framing)
            if decoder.isComplete {
                state = .done
                return [.closeUpstream, .sendHeaders(status: head.status, headers: fields, endStream: true)]
            }
            var actions: [Action] = [.sendHeaders(status: head.status, headers: fields, endStream: false)]
            guard let (body, complete) = decoder.feed(rest) else {
                state = .done
                return actions + [.closeUpstream, .resetStream(code: ErrorCode.protocolError)]
            }
            if body.readableBytes > 0 || complete { actions.append(.sendData(body, endStream: complete)) }
            if complete {
                state = .done
                actions.append(.closeUpstream)
            } else {
                state = .open(Open(kind: .request(method: method), body: pending.body, decoder: decoder, clientEnded: pending.clientEnded))
            }
            return actions
        }
    }

    /// Answers the stream itself with `status` and a short text, ending it.
    private mutating func answer(_ status: Int, _ text: String) -> [Action] {
        state = .done
        var body = ByteBuffer()
        body.writeString(text)
        return [
            .sendHeaders(status: status, headers: [HeaderField("content-type", "text/plain; charset=utf-8")], endStream: false),
            .sendData(body, endStream: true),
        ]
    }

    /// The request's regular fields that go upstream: no pseudo-headers, nothing hop-by-hop, no `cookie`
    /// split (HTTP/2 may send one field per cookie; HTTP/1.1 joins them with `; `, RFC 9113 §8.2.3).
    private static func forwardable(_ fields: [HeaderField]) -> [HeaderField] {
        var out: [HeaderField] = []
        var cookies: [String] = []
        for field in fields {
            let name = field.name.lowercased()
            if name.hasPrefix(":") || hopByHop.contains(name) { continue }
            if name == "cookie" {
                cookies.append(field.value)
                continue
            }
            out.append(field)
        }
        if !cookies.isEmpty { out.append(HeaderField("cookie", cookies.joined(separator: "; "))) }
        return out
    }

    /// `Via: 2 ws1011` (RFC 9110 §7.6.3): the request reached the front over HTTP/2, appended to any `Via` it had.
    private static func addVia(_ head: inout ProxyRequestHead) {
        let existing = head.headers.all("Via")
        head.headers.set("Via", (existing + ["2 ws1011"]).joined(separator: ", "))
    }

    /// The upstream's response fields as HTTP/2 allows them: lower-case names, nothing hop-by-hop or named in
    /// `Connection`, and `content-length` only as the length the body is sent with (one value, the decoder's):
    /// HTTP/2 checks it against the DATA that follows (RFC 9113 §8.1.1), so a length beside `chunked`, a
    /// malformed one, or one on an answer that has no body would make the front's own answer a stream error.
    static func answerFields(_ headers: HTTPHeaderList, framing: HTTP1BodyDecoder.Framing) -> [HeaderField] {
        let named = Set(
            headers.all("Connection").flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        var fields: [HeaderField] = headers.fields.compactMap { field in
            let name = field.name.lowercased()
            if name == "content-length" { return nil }
            return hopByHop.contains(name) || named.contains(name) ? nil : HeaderField(name, field.value)
        }
        if case .length(let n) = framing { fields.append(HeaderField("content-length", String(n))) }
        return fields
    }

    /// The `Sec-WebSocket-Accept` value an upstream must answer to `key` (RFC 6455 §4.2.2), as the client computes it
    /// (`UpgradeRequest.acceptValue(forKey:)`, in a module the lab does not import).
    static func acceptValue(for key: String) -> String {
        Data(Insecure.SHA1.hash(data: HandshakeAccept.input(forKey: key))).base64EncodedString()
    }

    /// Client body bytes in the upstream's framing; `end` adds the chunked coding's last chunk.
    private static func encode(_ buffer: ByteBuffer, _ body: RequestBody, end: Bool) -> ByteBuffer {
        guard body == .chunked else { return buffer }
        var out = ByteBuffer()
        if buffer.readableBytes > 0 {
            out.writeString(String(buffer.readableBytes, radix: 16) + "\r\n")
            var copy = buffer
            out.writeBuffer(&copy)
            out.writeString("\r\n")
        }
        if end { out.writeString("0\r\n\r\n") }
        return out
    }
}

extension Optional where Wrapped == ByteBuffer {
    /// Appends `buffer` to the held bytes (starting them when there are none).
    fileprivate mutating func append(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        if case .some(var held) = self {
            self = nil
            var buffer = buffer
            held.writeBuffer(&buffer)
            self = held
        } else {
            self = buffer
        }
    }
}
