import NIOCore
import Testing
import WebSocketDiagnosis

@testable import WebSocketLab

/// The HTTP/2 front's stream machine without sockets: the extended CONNECT turned into an HTTP/1.1 upgrade and
/// back, bytes both ways, every end; plain requests and their bodies.
@Suite("Proxy HTTP/2 front stream machine")
struct HTTP2FrontStreamStateMachineTests {
    typealias Machine = HTTP2FrontStreamStateMachine

    static let connect: [HeaderField] = [
        HeaderField(":method", "CONNECT"), HeaderField(":protocol", "websocket"), HeaderField(":scheme", "https"),
        HeaderField(":path", "/chat?room=1"), HeaderField(":authority", "example.test:8443"), HeaderField("sec-websocket-version", "13"),
        HeaderField("sec-websocket-protocol", "chat.v2"), HeaderField("authorization", "Bearer t0ken"), HeaderField("cookie", "a=1"),
        HeaderField("cookie", "b=2"), HeaderField("sec-websocket-key", "from-the-client"),
    ]

    static func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// The upstream's valid 101 for ``connected()``'s key (RFC 6455 §1.3's sample nonce).
    static let switching =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

    static func text(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

    /// A machine past the extended CONNECT with the upstream connected, and the head it sent.
    static func connected() -> (Machine, ProxyRequestHead) {
        var machine = Machine(key: "dGhlIHNhbXBsZSBub25jZQ==", maxHeadBytes: 4096)
        let actions = machine.headersReceived(connect, endStream: false, failure: nil)
        guard case .connectUpstream(let head) = actions.first else { preconditionFailure("\(actions)") }
        #expect(machine.upstreamConnected() == [.armResponseTimer])
        return (machine, head)
    }

    @Test func theExtendedConnectBecomesAnHTTP1UpgradeWithANewKeyAndTheClientsFields() {
        let (_, head) = Self.connected()
        #expect(head.method == "GET" && head.target == "/chat?room=1" && head.version == "HTTP/1.1")
        #expect(head.headers.first("Host") == "example.test:8443")
        #expect(head.isWebSocketUpgrade)
        #expect(head.headers.all("Sec-WebSocket-Key") == ["dGhlIHNhbXBsZSBub25jZQ=="], "a fresh key, never the client's")
        #expect(head.headers.first("Sec-WebSocket-Version") == "13")
        #expect(head.headers.first("sec-websocket-protocol") == "chat.v2")
        #expect(head.headers.first("authorization") == "Bearer t0ken")
        #expect(head.headers.all("cookie") == ["a=1; b=2"], "HTTP/2's split cookies are joined for HTTP/1.1")
        #expect(!head.headers.fields.contains { $0.name.hasPrefix(":") })
        #expect(head.headers.first("Via") == "2 ws1011", "the upstream can tell the request came over HTTP/2")
    }

    @Test func the101BecomesA200WithTheNegotiatedFieldsThenBytesFlowBothWays() {
        var (machine, _) = Self.connected()
        // A client that sends before the 200 has its bytes held until the upgrade is answered.
        #expect(machine.clientData(Self.bytes("early"), endStream: false) == [])
        var answer = Self.bytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                + "Sec-WebSocket-Protocol: chat.v2\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
        answer.writeString("frame")
        let actions = machine.upstreamRead(answer)
        #expect(
            actions == [
                .webSocketOpened,
                .sendHeaders(
                    status: 200,
                    headers: [
                        HeaderField("sec-websocket-protocol", "chat.v2"), HeaderField("sec-websocket-extensions", "permessage-deflate"),
                    ],
                    endStream: false),
                .sendData(Self.bytes("frame"), endStream: false),
                .writeUpstream(Self.bytes("early")),
            ])
        #expect(machine.phase == "open")
        #expect(machine.clientData(Self.bytes("up"), endStream: false) == [.writeUpstream(Self.bytes("up"))])
        #expect(machine.upstreamRead(Self.bytes("down")) == [.sendData(Self.bytes("down"), endStream: false)])
        // The client's END_STREAM half-closes the upstream; the upstream's end is the stream's END_STREAM.
        #expect(machine.clientData(ByteBuffer(), endStream: true) == [.halfCloseUpstream])
        #expect(machine.upstreamRead(Self.bytes("last")) == [.sendData(Self.bytes("last"), endStream: false)])
        #expect(machine.upstreamClosed() == [.sendData(ByteBuffer(), endStream: true)])
        #expect(machine.isDone)
    }

    @Test func anUpgradeTheUpstreamRefusesIsAnsweredWithItsStatus() {
        var (machine, _) = Self.connected()
        let actions = machine.upstreamRead(
            Self.bytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\nX-Reason: waf\r\n\r\n"))
        #expect(
            actions == [
                .closeUpstream,
                .sendHeaders(status: 403, headers: [HeaderField("x-reason", "waf"), HeaderField("content-length", "0")], endStream: true),
            ])
        #expect(machine.isDone)
    }

    @Test func aRefusalWithABodyIsRelayedWithItsBodyAndALengthHTTP2Accepts() {
        // A 401 with a JSON reason: HTTP/2 checks content-length against the DATA, so the body must follow.
        var (machine, _) = Self.connected()
        #expect(machine.holdsClientData, "the client's bytes wait unread until the upgrade is answered")
        let body = #"{"error":"missing_token"}"#
        let actions = machine.upstreamRead(
            Self.bytes("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        #expect(
            actions == [
                .sendHeaders(
                    status: 401,
                    headers: [HeaderField("content-type", "application/json"), HeaderField("content-length", String(body.utf8.count))],
                    endStream: false),
                .sendData(Self.bytes(body), endStream: true), .closeUpstream,
            ])
        #expect(!machine.holdsClientData)
        // A length beside chunked, or a malformed one, is not passed on: the body goes as DATA until its end.
        var (chunked, _) = Self.connected()
        let both = chunked.upstreamRead(
            Self.bytes("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n4\r\nbusy\r\n0\r\n\r\n")
        )
        #expect(both.first == .sendHeaders(status: 503, headers: [], endStream: false), "\(both)")
        #expect(both.contains(.sendData(Self.bytes("busy"), endStream: true)))
        var (malformed, _) = Self.connected()
        let bad = malformed.upstreamRead(Self.bytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: abc\r\n\r\noops"))
        #expect(bad.first == .sendHeaders(status: 500, headers: [], endStream: false), "\(bad)")
    }

    @Test func a101ThatIsNotThisUpgradesAnswerIsA502NotAWebSocket() {
        var (wrongAccept, _) = Self.connected()
        let actions = wrongAccept.upstreamRead(
            Self.bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n"))
        #expect(
            actions.first == .closeUpstream && actions.contains { if case .sendHeaders(502, _, _) = $0 { true } else { false } },
            "\(actions)")
        #expect(!actions.contains(.webSocketOpened))
        var (noUpgrade, _) = Self.connected()
        let plain = noUpgrade.upstreamRead(
            Self.bytes("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"))
        #expect(!plain.contains(.webSocketOpened), "\(plain)")
        // Extensions negotiated over several lines all reach the client.
        var (twoLines, _) = Self.connected()
        let opened = twoLines.upstreamRead(
            Self.bytes(
                Self.switching.replacingOccurrences(
                    of: "\r\n\r\n", with: "\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Extensions: x-other\r\n\r\n")))
        #expect(
            opened.contains(
                .sendHeaders(
                    status: 200, headers: [HeaderField("sec-websocket-extensions", "permessage-deflate, x-other")], endStream: false)),
            "\(opened)")
    }

    @Test func interimAnswersArePassedOverAFewTimesAtMost() {
        var (few, _) = Self.connected()
        let after = few.upstreamRead(Self.bytes(String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 3) + Self.switching))
        #expect(after.contains(.webSocketOpened), "\(after)")
        var (many, _) = Self.connected()
        let flood = many.upstreamRead(Self.bytes(String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 2_000)))
        #expect(
            flood.first == .closeUpstream && flood.contains { if case .sendHeaders(502, _, _) = $0 { true } else { false } },
            "\(flood.prefix(3))")
        #expect(many.isDone)
    }

    @Test func aRequestWithHostInsteadOfAuthorityKeepsItsHost() {
        var machine = Machine(key: "k", maxHeadBytes: 4096)
        let fields = [
            HeaderField(":method", "GET"), HeaderField(":scheme", "https"), HeaderField(":path", "/health"), HeaderField("host", "h.test"),
        ]
        guard case .connectUpstream(let head) = machine.headersReceived(fields, endStream: true, failure: nil).first else {
            Issue.record("no upstream connect")
            return
        }
        #expect(head.headers.all("Host") == ["h.test"])
    }

    @Test func aResetFromTheClientClosesTheUpstreamInEveryPhase() {
        var connecting = Machine(key: "k", maxHeadBytes: 4096)
        _ = connecting.headersReceived(Self.connect, endStream: false, failure: nil)
        #expect(connecting.clientReset() == [.closeUpstream])
        #expect(connecting.upstreamConnected() == [.closeUpstream], "an upstream that connects after the reset is closed")
        var (awaiting, _) = Self.connected()
        #expect(awaiting.clientReset() == [.closeUpstream])
        var (open, _) = Self.connected()
        _ = open.upstreamRead(Self.bytes(Self.switching))
        #expect(open.clientReset() == [.closeUpstream])
        #expect(open.upstreamRead(Self.bytes("late")) == [], "nothing more goes to a reset stream")
    }

    @Test func everyWaitOnTheUpstreamEndsInAnAnswer() {
        var failed = Machine(key: "k", maxHeadBytes: 4096)
        _ = failed.headersReceived(Self.connect, endStream: false, failure: nil)
        #expect(
            failed.upstreamConnectFailed("refused").first.map { if case .sendHeaders(502, _, false) = $0 { true } else { false } } == true)
        var (slow, _) = Self.connected()
        let timedOut = slow.responseTimedOut()
        #expect(timedOut.first == .closeUpstream)
        #expect(timedOut.contains { if case .sendHeaders(504, _, _) = $0 { true } else { false } })
        var (closed, _) = Self.connected()
        #expect(closed.upstreamClosed().contains { if case .sendHeaders(502, _, _) = $0 { true } else { false } })
        var tooBig = Machine(key: "k", maxHeadBytes: 64)
        _ = tooBig.headersReceived(Self.connect, endStream: false, failure: nil)
        _ = tooBig.upstreamConnected()
        #expect(
            tooBig.upstreamRead(Self.bytes("HTTP/1.1 101 Switching Protocols\r\n" + String(repeating: "X-Pad: 1\r\n", count: 20))).contains
            {
                if case .sendHeaders(502, _, _) = $0 { true } else { false }
            })
    }

    @Test func classicConnectAndOtherProtocolsAreRefused() {
        var classic = Machine(key: "k", maxHeadBytes: 4096)
        let actions = classic.headersReceived(
            [HeaderField(":method", "CONNECT"), HeaderField(":authority", "db:5432")], endStream: false, failure: nil)
        #expect(actions.first.map { if case .sendHeaders(501, _, _) = $0 { true } else { false } } == true)
        var other = Machine(key: "k", maxHeadBytes: 4096)
        let fields = Self.connect.map { $0.name == ":protocol" ? HeaderField(":protocol", "connect-udp") : $0 }
        #expect(
            other.headersReceived(fields, endStream: false, failure: nil).first.map {
                if case .sendHeaders(501, _, _) = $0 { true } else { false }
            } == true)
    }

    // MARK: - Plain requests

    static func get(_ method: String = "GET", endStream: Bool = true, extra: [HeaderField] = []) -> (Machine, ProxyRequestHead) {
        var machine = Machine(key: "k", maxHeadBytes: 4096)
        let fields =
            [
                HeaderField(":method", method), HeaderField(":scheme", "https"), HeaderField(":path", "/page"),
                HeaderField(":authority", "a.test"),
            ] + extra
        guard case .connectUpstream(let head) = machine.headersReceived(fields, endStream: endStream, failure: nil).first else {
            preconditionFailure()
        }
        return (machine, head)
    }

    @Test func aPlainRequestIsForwardedAndItsLengthDelimitedAnswerComesBackAsDataWithEndStream() {
        var (machine, head) = Self.get()
        #expect(head.method == "GET" && head.target == "/page" && head.headers.first("Host") == "a.test")
        #expect(head.headers.first("Connection") == "close" && head.headers.first("Transfer-Encoding") == nil)
        #expect(machine.upstreamConnected() == [.armResponseTimer])
        let first = machine.upstreamRead(
            Self.bytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\nConnection: close\r\n\r\n<p>"))
        #expect(
            first == [
                .sendHeaders(
                    status: 200, headers: [HeaderField("content-type", "text/html"), HeaderField("content-length", "10")], endStream: false),
                .sendData(Self.bytes("<p>"), endStream: false),
            ])
        #expect(machine.upstreamRead(Self.bytes("hi</p>!extra")) == [.sendData(Self.bytes("hi</p>!"), endStream: true), .closeUpstream])
        #expect(machine.isDone)
    }

    @Test func aChunkedAnswerIsDecodedAndACloseDelimitedOneEndsWithTheConnection() {
        var (chunked, _) = Self.get()
        _ = chunked.upstreamConnected()
        let head = chunked.upstreamRead(Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"))
        #expect(head.last == .sendData(Self.bytes("hel"), endStream: false))
        #expect(
            !head.contains {
                if case .sendHeaders(_, let fields, _) = $0 { fields.contains { $0.name == "transfer-encoding" } } else { false }
            })
        #expect(
            chunked.upstreamRead(Self.bytes("lo\r\n6;x=y\r\n world\r\n0\r\n\r\n")) == [
                .sendData(Self.bytes("lo world"), endStream: true), .closeUpstream,
            ])

        var (untilClose, _) = Self.get()
        _ = untilClose.upstreamConnected()
        _ = untilClose.upstreamRead(Self.bytes("HTTP/1.1 200 OK\r\n\r\nabc"))
        #expect(untilClose.upstreamClosed() == [.sendData(ByteBuffer(), endStream: true)])

        var (cut, _) = Self.get()
        _ = cut.upstreamConnected()
        _ = cut.upstreamRead(Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"))
        #expect(cut.upstreamClosed() == [.resetStream(code: 0x2)], "a body cut short is not passed off as complete")

        var (bad, _) = Self.get()
        _ = bad.upstreamConnected()
        #expect(
            bad.upstreamRead(Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).suffix(2) == [
                .closeUpstream, .resetStream(code: 0x1),
            ])
    }

    @Test func aRequestBodyWithoutLengthGoesUpstreamChunkedAndAnInterimAnswerIsSkipped() {
        var (machine, head) = Self.get("POST", endStream: false)
        #expect(head.headers.first("Transfer-Encoding") == "chunked")
        #expect(machine.clientData(Self.bytes("abc"), endStream: false) == [])
        #expect(machine.upstreamConnected() == [.writeUpstream(Self.bytes("3\r\nabc\r\n")), .armResponseTimer])
        #expect(machine.clientData(Self.bytes("de"), endStream: true) == [.writeUpstream(Self.bytes("2\r\nde\r\n0\r\n\r\n"))])
        let answer = machine.upstreamRead(Self.bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
        #expect(answer == [.closeUpstream, .sendHeaders(status: 204, headers: [], endStream: true)])

        var (sized, sizedHead) = Self.get("PUT", endStream: false, extra: [HeaderField("content-length", "2")])
        #expect(sizedHead.headers.first("Transfer-Encoding") == nil)
        _ = sized.upstreamConnected()
        #expect(sized.clientData(Self.bytes("ok"), endStream: true) == [.writeUpstream(Self.bytes("ok"))])
    }
}
