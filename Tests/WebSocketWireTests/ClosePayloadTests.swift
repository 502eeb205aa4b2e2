import Testing
import WebSocketWire

@Suite("WebSocketWire close payloads and the close-code registry")
struct ClosePayloadTests {
    @Test(arguments: [
        CloseCode.normalClosure, .goingAway, .protocolError, .internalError, .tryAgainLater, .badGateway, CloseCode(3000), CloseCode(4999),
    ])
    func aPayloadRoundTrips(code: CloseCode) throws {
        let payload = ClosePayload(code: code, reason: "bye — à bientôt")
        let bytes = try payload.encoded()
        #expect(bytes.prefix(2) == [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)])
        #expect(try ClosePayload.decode(bytes) == payload)
    }

    @Test func anEmptyPayloadHasNoStatus() throws {
        #expect(try ClosePayload.decode([] as [UInt8]) == ClosePayload(code: nil))
        #expect(try ClosePayload(code: nil, reason: "ignored").encoded() == [])
    }

    @Test func aOneBytePayloadIsRefused() {
        #expect(throws: ClosePayloadError(.oneByte, code: nil, reason: "")) { try ClosePayload.decode([0x03] as [UInt8]) }
    }

    @Test(arguments: [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])
    func aCodeThatMustNotBeOnTheWireIsRefusedBothWays(raw: Int) {
        let code = CloseCode(raw)
        #expect(!code.isValidOnWire)
        let bytes: [UInt8] = [UInt8(raw >> 8), UInt8(raw & 0xFF), 0x68, 0x69]
        #expect(throws: ClosePayloadError(.codeNotAllowed, code: code, reason: "hi")) { try ClosePayload.decode(bytes) }
        #expect(throws: ClosePayloadError(.codeNotAllowed, code: code, reason: "hi")) {
            try ClosePayload(code: code, reason: "hi").encoded()
        }
        // A fault injector may still write it, on purpose.
        #expect(ClosePayload(code: code, reason: "hi").unvalidatedEncoding() == bytes)
    }

    @Test func aReasonThatIsNotUTF8IsRefusedWithInvalidPayloadAsTheFailureCode() throws {
        let bytes: [UInt8] = [0x03, 0xE8, 0x61, 0xC3]  // 1000, "a", then half of a two-byte character
        do {
            _ = try ClosePayload.decode(bytes)
            Issue.record("decoded an invalid reason")
        } catch {
            #expect(error.kind == .invalidUTF8)
            #expect(error.code == .normalClosure)
            #expect(error.reason == "a\u{FFFD}")
            #expect(error.failureCode == .invalidPayload)
        }
        #expect(ClosePayloadError(.codeNotAllowed, code: .abnormalClosure, reason: "").failureCode == .protocolError)
    }

    @Test func aLongReasonIsCutAtACharacterBoundaryToFit125Bytes() throws {
        let bytes = try ClosePayload(code: .normalClosure, reason: String(repeating: "é", count: 100)).encoded()
        #expect(bytes.count == 2 + 122)  // 61 two-byte characters: the 62nd would need byte 124
        #expect(try ClosePayload.decode(bytes).reason == String(repeating: "é", count: 61))
    }

    @Test func peekingReadsTheCodeWithoutJudgingIt() {
        #expect(ClosePayload.peekCode([0x03, 0xF3, 0xFF] as [UInt8]) == .internalError)
        #expect(ClosePayload.peekCode([0x03, 0xEE] as [UInt8]) == .abnormalClosure)
        #expect(ClosePayload.peekCode([0x03] as [UInt8]) == nil)
    }

    @Test func theRegistryNamesEveryAssignedCodeAndTheRanges() {
        let named: [(CloseCode, Int, String)] = [
            (.normalClosure, 1000, "normal closure"), (.goingAway, 1001, "going away"), (.protocolError, 1002, "protocol error"),
            (.unsupportedData, 1003, "unsupported data"), (.reserved, 1004, "reserved"), (.noStatusReceived, 1005, "no status received"),
            (.abnormalClosure, 1006, "abnormal closure"), (.invalidPayload, 1007, "invalid frame payload data"),
            (.policyViolation, 1008, "policy violation"), (.messageTooBig, 1009, "message too big"),
            (.mandatoryExtension, 1010, "mandatory extension"), (.internalError, 1011, "internal error"),
            (.serviceRestart, 1012, "service restart"), (.tryAgainLater, 1013, "try again later"), (.badGateway, 1014, "bad gateway"),
            (.tlsHandshake, 1015, "TLS handshake"),
        ]
        for (code, raw, name) in named {
            #expect(code.rawValue == raw)
            #expect(code.name == name)
        }
        #expect(CloseCode(3001).name == "registered (library/framework)")
        #expect(CloseCode(4001).name == "private use (application)")
        #expect(CloseCode(2000).name == "unassigned")
        #expect(CloseCode.internalError.description == "1011 (internal error)")
        #expect(
            (1000...1015).filter { CloseCode($0).isValidOnWire } == [
                1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
            ])
    }
}
