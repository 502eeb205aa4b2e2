import NIOCore
import Testing

@testable import WebSocketLab

@Suite("HTTP head parsing and rewriting")
struct HTTPHeadParserTests {
    @Test func headSplitAcrossReadsKeepsTheBytesThatFollow() throws {
        var parser = HTTPHeadParser(maxBytes: 1024)
        let text = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\nFRAME"
        let bytes = Array(text.utf8)
        guard case .needMore = parser.feed(ByteBuffer(bytes: bytes[0..<20])) else {
            Issue.record("complete too early")
            return
        }
        guard case .complete(let lines, let rest) = parser.feed(ByteBuffer(bytes: bytes[20...])) else {
            Issue.record("head not complete")
            return
        }
        #expect(String(buffer: rest) == "FRAME")
        let head = try #require(ProxyRequestHead(lines: lines))
        #expect(head.isWebSocketUpgrade)
        #expect(head.target == "/ws")
    }

    @Test func oversizedHeadIsRejected() {
        var parser = HTTPHeadParser(maxBytes: 100)
        let outcome = parser.feed(ByteBuffer(string: "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200)))
        guard case .tooLarge = outcome else {
            Issue.record("expected tooLarge, got \(outcome)")
            return
        }
    }

    @Test func stripUpgradeDowngradesToPlainHTTP10() throws {
        var head = try #require(
            ProxyRequestHead(lines: ["GET /ws HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: abc"]))
        let fault = try StripUpgradeFault(spec: FaultSpec(name: "strip-upgrade"))
        _ = fault.request(&head, context: HandshakeContext(isUpgrade: true, openWebSockets: 0, upgradeRequestNumber: 1))
        #expect(!head.isWebSocketUpgrade)
        #expect(String(decoding: head.encoded(), as: UTF8.self) == "GET /ws HTTP/1.0\r\nSec-WebSocket-Key: abc\r\n\r\n")
    }

    @Test func malformedRequestLineIsRefused() {
        #expect(ProxyRequestHead(lines: ["GARBAGE"]) == nil)
        #expect(ProxyRequestHead(lines: ["GET / HTTP/1.1", "no colon here"]) == nil)
        #expect(ProxyResponseHead(lines: ["HTTP/1.1 abc OK"]) == nil)
    }

    @Test func cookiesAreFoundByName() {
        let headers = HTTPHeaderList([.init("Cookie", "a=1; ws1011-instance=2; b=3")])
        #expect(headers.cookie("ws1011-instance") == "2")
        #expect(headers.cookie("missing") == nil)
    }
}
