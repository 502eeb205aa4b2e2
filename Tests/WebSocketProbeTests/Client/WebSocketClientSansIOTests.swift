import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

@Suite("WebSocket client: sans-I/O parsers")
struct WebSocketClientSansIOTests {
    // MARK: URL

    @Test func urlsParseWithDefaultsIPv6AndQueries() throws {
        let a = try WebSocketURL(parsing: "wss://Example.com/chat?x=1")
        #expect(a.host == "example.com" && a.port == 443 && a.resource == "/chat?x=1" && a.isSecure)
        let b = try WebSocketURL(parsing: "ws://[::1]:8080")
        #expect(b.host == "::1" && b.port == 8080 && b.resource == "/" && !b.isSecure)
        #expect(b.description == "ws://[::1]:8080/")
        let c = try WebSocketURL(parsing: "ws://127.0.0.1?token=abc")
        #expect(c.port == 80 && c.resource == "/?token=abc")
        #expect(c.replacing(resource: "/other").resource == "/other")
    }

    @Test(arguments: [
        "http://host/", "ftp://host", "host/path", "ws://", "ws://host:0/", "ws://host:99999/", "ws://host/#frag", "ws://u:p@host/",
        "ws://::1/", "ws://ho st/",
    ])
    func badURLsAreRejectedWithAClearMessage(input: String) {
        #expect(throws: ProbeError.self) { try WebSocketURL(parsing: input) }
        do {
            _ = try WebSocketURL(parsing: input)
        } catch {
            #expect(error.shortDescription == "malformed-url")
            #expect(error.description.contains("ws://"))
        }
    }

    // MARK: Handshake

    @Test func acceptValueMatchesTheRFCExample() {
        #expect(UpgradeRequest.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func requestCarriesHandshakeHeadersSubprotocolsAndRedactsWhenRecorded() throws {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://h:81/ws?token=s3cr3t-token"))
        configuration.subprotocols = ["jwt-auth", "jwt.abc.def.ghi"]
        configuration.headers = [HeaderField("Authorization", "Bearer s3cr3t-token")]
        let request = UpgradeRequest(configuration: configuration, key: "dGhlIHNhbXBsZSBub25jZQ==")
        let text = String(decoding: request.bytes, as: UTF8.self)
        #expect(text.hasPrefix("GET /ws?token=s3cr3t-token HTTP/1.1\r\nHost: h:81\r\n"))
        #expect(text.contains("Sec-WebSocket-Protocol: jwt-auth, jwt.abc.def.ghi\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
        let recorded = request.recorded(by: Redactor())
        #expect(!String(describing: recorded).contains("s3cr3t-token"))
        #expect(recorded.offeredSubprotocols == ["jwt-auth", "jwt.<redacted>"])
    }

    @Test func responseHeadSplitAcrossReadsKeepsTheRemainder() {
        var parser = UpgradeResponseParser()
        #expect(parser.append(Array("HTTP/1.1 101 Switching Protocols\r\nUpg".utf8)) == .needMore)
        guard case .head(let head, let rest) = parser.append(Array("rade: websocket\r\n\r\n\u{81}\u{0}".utf8)) else {
            Issue.record("expected a head")
            return
        }
        #expect(head.status == 101 && head.reasonPhrase == "Switching Protocols")
        #expect(head.headers.first(named: "upgrade") == "websocket")
        #expect(rest == [0xC2, 0x81, 0x00])
    }

    @Test func nonHTTPAndOversizedHeadsAreRefused() {
        var tls = UpgradeResponseParser()
        guard case .malformed = tls.append([0x15, 0x03, 0x01, 0x00, 0x02]) else {
            Issue.record("expected malformed")
            return
        }
        var big = UpgradeResponseParser(maxHeadBytes: 100)
        guard case .oversized = big.append(Array(("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 200)).utf8)) else {
            Issue.record("expected oversized")
            return
        }
    }

    @Test func validatorReportsOneFindingPerFault() throws {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://h/"))
        configuration.subprotocols = ["a"]
        let request = UpgradeRequest(configuration: configuration, key: "dGhlIHNhbXBsZSBub25jZQ==")
        let good = ResponseHead(
            httpVersion: "HTTP/1.1", status: 101, reasonPhrase: "",
            headers: [
                HeaderField("Upgrade", "WebSocket"), HeaderField("Connection", "keep-alive, Upgrade"),
                HeaderField("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), HeaderField("Sec-WebSocket-Protocol", "a"),
            ])
        #expect(HandshakeValidator.check(good, request: request).accepted)
        var bad = good
        bad.headers = [HeaderField("Upgrade", "h2c"), HeaderField("Sec-WebSocket-Extensions", "permessage-deflate")]
        let outcome = HandshakeValidator.check(bad, request: request)
        #expect(!outcome.accepted)
        #expect(
            outcome.findings.map(\.code) == [
                .missingAcceptKey, .missingUpgradeHeader, .missingConnectionHeader, .subprotocolNotEchoed, .unexpectedExtension,
            ])
    }

    // MARK: Frames

    @Test func frameParserHandlesSplitHeadersAndExtendedLengths() {
        var parser = FrameParser()
        let frame = WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 9, count: 300))
        let bytes = frame.encoded(maskKey: nil)
        parser.append(bytes[0..<3])
        #expect(parser.next() == nil)
        parser.append(bytes[3...])
        #expect(parser.next() == .frame(frame))
        #expect(parser.next() == nil)
    }

    @Test func clientFramesAreMaskedAndRoundTrip() {
        let frame = WebSocketFrame(opcode: .text, payload: Array("mask me".utf8))
        let bytes = frame.encoded(maskKey: MaskingKey(1, 2, 3, 4))
        #expect(bytes[1] & 0x80 != 0)
        #expect(Array(bytes[6...]) != Array("mask me".utf8))
    }

    @Test func lengthWithTopBitSetIsOversizedWithoutAllocating() {
        var parser = FrameParser()
        parser.append([0x82, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        guard case .violation(let v) = parser.next() else {
            Issue.record("expected a violation")
            return
        }
        #expect(v.code == .oversizedFrame)
        #expect(parser.failed)
        #expect(parser.next() == nil)
    }

    @Test func assemblerChecksContinuationsAndUTF8() {
        var assembler = MessageAssembler(maxMessageBytes: 10)
        #expect(assembler.push(WebSocketFrame(fin: false, opcode: .text, payload: [0xC3])) == .fragmentBuffered)
        #expect(assembler.push(WebSocketFrame(opcode: .continuation, payload: [0xA9])) == .message(.text("é")))
        guard case .violation(let v1) = assembler.push(WebSocketFrame(opcode: .continuation, payload: [1])) else {
            Issue.record("expected bad continuation")
            return
        }
        #expect(v1.code == .badContinuation)
        guard case .violation(let v2) = assembler.push(WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0, count: 11))) else {
            Issue.record("expected oversized message")
            return
        }
        #expect(v2.code == .oversizedMessage && v2.closeCode == 1009)
    }

    @Test(arguments: [(1005, false), (1006, false), (999, false), (5000, false), (1015, false), (1000, true), (1011, true), (4000, true)])
    func closeCodesAreCheckedForTheWire(code: Int, valid: Bool) {
        let body = CloseFrameBody.parse(CloseFrameBody.encode(code: code, reason: "r"))
        #expect(body.code == code)
        #expect((body.violation == nil) == valid)
    }

    @Test func closeReasonIsTruncatedOnACharacterBoundary() {
        let payload = CloseFrameBody.encode(code: 1000, reason: String(repeating: "é", count: 100))
        #expect(payload.count <= 125)
        #expect(CloseFrameBody.parse(payload).violation == nil)
    }
}
