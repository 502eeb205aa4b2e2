import NIOCore
import NIOWebSocket
import Testing

@testable import WebSocketLab

/// The reference backend connection's decisions without sockets or clocks: frame checks, reassembly
/// within the limit, decoding and routing, the close handshake both ways and the keepalive's bookkeeping.
@Suite("WebSocketLab backend connection state machine")
struct LabConnectionStateMachineTests {
    typealias Machine = LabConnectionStateMachine

    static let mask: WebSocketMaskingKey = [1, 2, 3, 4]

    /// A masked client frame (the machine reads `unmaskedData`).
    static func frame(_ opcode: WebSocketOpcode, _ text: String = "", fin: Bool = true, masked: Bool = true, rsv1: Bool = false)
        -> WebSocketFrame
    {
        var data = ByteBuffer(string: text)
        if masked { data.webSocketMask(mask) }
        return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: masked ? mask : nil, data: data)
    }

    static func request(_ action: Machine.Action) -> Machine.Request? {
        if case .dispatch(let request) = action { return request }
        return nil
    }

    // MARK: - Frame checks

    @Test func reservedBitsAndUnmaskedFramesAreClosedWith1002() {
        var rsv = Machine()
        #expect(
            rsv.frameReceived(Self.frame(.text, "{}", rsv1: true), messageLimit: 100) == .sendClose(code: 1002, reason: "Reserved bits set")
        )
        #expect(rsv.phase == .closing)
        var unmasked = Machine()
        #expect(
            unmasked.frameReceived(Self.frame(.text, "{}", masked: false), messageLimit: 100)
                == .sendClose(code: 1002, reason: "Unmasked client frame"))
    }

    @Test func anUnknownOpcodeIsClosedWith1002() {
        var m = Machine()
        #expect(
            m.frameReceived(Self.frame(WebSocketOpcode(encodedWebSocketOpcode: 0x3)!), messageLimit: 100)
                == .sendClose(code: 1002, reason: "Unknown opcode"))
    }

    @Test func aPingIsAnsweredWithItsPayloadOnlyWhileOpen() {
        var m = Machine()
        #expect(m.frameReceived(Self.frame(.ping, "hb"), messageLimit: 100) == .sendPong(ByteBuffer(string: "hb")))
        _ = m.closeRequested(code: 1000, reason: "")
        #expect(m.frameReceived(Self.frame(.ping, "hb"), messageLimit: 100) == .none)
    }

    // MARK: - Messages

    @Test func aFragmentedMessageIsReassembledDecodedAndRouted() throws {
        var m = Machine()
        #expect(m.frameReceived(Self.frame(.text, "{\"type\":\"stream_", fin: false), messageLimit: 100) == .none)
        let action = m.frameReceived(Self.frame(.continuation, "request\",\"payload\":{\"chunks\":3}}"), messageLimit: 100)
        let request = try #require(Self.request(action))
        #expect(request.type == "stream_request")
        #expect(request.route == .stream)
        #expect(request.payload["chunks"]?.numberValue == 3)
        #expect(request.faultContext == AppFaultMessageContext(type: "stream_request", index: 1, typeIndex: 1))
    }

    @Test func messagesAreCountedOverallAndPerTypeForTheFaults() throws {
        var m = Machine()
        for (index, type) in ["ping", "user_message", "ping"].enumerated() {
            let request = try #require(Self.request(m.frameReceived(Self.frame(.text, "{\"type\":\"\(type)\"}"), messageLimit: 100)))
            #expect(request.faultContext.index == index + 1)
            #expect(request.faultContext.typeIndex == (index == 2 ? 2 : 1))
        }
        #expect(m.messageIndex == 3)
    }

    @Test func eachTypeHasItsRoute() {
        #expect(Machine.Route(type: "ping") == .ping)
        for type in ["user_message", "start_agent", "execute_agent"] { #expect(Machine.Route(type: type) == .agentRun) }
        #expect(Machine.Route(type: "stream_request") == .stream)
        #expect(Machine.Route(type: "refresh_token") == .refreshToken)
        #expect(Machine.Route(type: "subscribe") == .acknowledge)
    }

    @Test func aMessageOverTheLimitIsClosedWith1009WholeOrInFragments() {
        var whole = Machine()
        #expect(
            whole.frameReceived(Self.frame(.text, String(repeating: "a", count: 11)), messageLimit: 10)
                == .sendClose(code: 1009, reason: "Message too big"))
        var fragments = Machine()
        #expect(fragments.frameReceived(Self.frame(.text, "aaaaaa", fin: false), messageLimit: 10) == .none)
        #expect(
            fragments.frameReceived(Self.frame(.continuation, "aaaaaa"), messageLimit: 10)
                == .sendClose(code: 1009, reason: "Message too big"))
        // A limit raised on the open connection applies to the next frame.
        var raised = Machine()
        #expect(Self.request(raised.frameReceived(Self.frame(.text, "{\"type\":\"ping\"}"), messageLimit: 1 << 20)) != nil)
    }

    @Test func badMessagesAreAnsweredWithAnErrorAndTheConnectionStaysOpen() {
        var m = Machine()
        #expect(
            m.frameReceived(Self.frame(.binary, "x"), messageLimit: 100)
                == .sendError(code: "unsupported_binary", message: "binary frames are not supported: send JSON text frames"))
        guard case .sendError(let notJSON, _) = m.frameReceived(Self.frame(.text, "[1]"), messageLimit: 100) else {
            Issue.record("a JSON array was not refused")
            return
        }
        #expect(notJSON == "invalid_json")
        #expect(
            m.frameReceived(Self.frame(.text, "{\"payload\":{}}"), messageLimit: 100)
                == .sendError(code: "missing_type", message: "the message has no \"type\" field"))
        #expect(m.isOpen)
        #expect(m.messageIndex == 0)
    }

    @Test func invalidUTF8IsClosedWith1007() {
        var m = Machine()
        var data = ByteBuffer(bytes: [0x7B, 0xFF, 0x7D])
        data.webSocketMask(Self.mask)
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: Self.mask, data: data)
        #expect(m.frameReceived(frame, messageLimit: 100) == .sendClose(code: 1007, reason: "Invalid UTF-8 in text frame"))
    }

    @Test func aContinuationWithoutAStartIsIgnored() {
        var m = Machine()
        #expect(m.frameReceived(Self.frame(.continuation, "x"), messageLimit: 100) == .none)
        #expect(m.isOpen)
    }

    // MARK: - Close

    @Test func thePeersCloseIsEchoedOnceAndMessagesStop() {
        var m = Machine()
        var close = ByteBuffer()
        close.writeInteger(UInt16(4001))
        close.webSocketMask(Self.mask)
        #expect(
            m.frameReceived(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: Self.mask, data: close), messageLimit: 100)
                == .answerCloseThenCloseTransport(code: 4001))
        #expect(m.phase == .closing)
        #expect(m.frameReceived(Self.frame(.text, "{\"type\":\"ping\"}"), messageLimit: 100) == .none)
        #expect(m.closeRequested(code: 1001, reason: "") == .none)
    }

    @Test func aCloseWithoutStatusIsEchoedWithoutStatus() {
        var m = Machine()
        #expect(m.frameReceived(Self.frame(.connectionClose), messageLimit: 100) == .answerCloseThenCloseTransport(code: nil))
    }

    @Test func theAnswerToOurCloseClosesTheTransport() {
        var m = Machine()
        #expect(m.closeRequested(code: 1012, reason: "Service restart") == .sendClose(code: 1012, reason: "Service restart"))
        #expect(m.closeRequested(code: 1001, reason: "again") == .none)
        #expect(m.frameReceived(Self.frame(.connectionClose), messageLimit: 100) == .closeTransport)
    }

    @Test func theEndIsReportedOnceAndNothingFollowsIt() {
        var m = Machine()
        let firstEnd = m.ended()
        #expect(firstEnd)
        let secondEnd = m.ended()
        #expect(!secondEnd)
        #expect(m.closeReceived(code: 1000) == .none)
        #expect(m.closeRequested(code: 1000, reason: "") == .none)
        let pingAfterEnd = m.keepaliveDue(payload: [1])
        #expect(!pingAfterEnd)
    }

    // MARK: - Keepalive

    @Test func aKeepalivePingIsSentOnlyWhenNoneIsUnanswered() {
        var m = Machine()
        let firstPing = m.keepaliveDue(payload: [1, 2, 3, 4])
        #expect(firstPing)
        let whileUnanswered = m.keepaliveDue(payload: [5, 6, 7, 8])
        #expect(!whileUnanswered)
        #expect(m.frameReceived(Self.frame(.pong, "other"), messageLimit: 100) == .none)
        var pong = ByteBuffer(bytes: [1, 2, 3, 4])
        pong.webSocketMask(Self.mask)
        #expect(
            m.frameReceived(WebSocketFrame(fin: true, opcode: .pong, maskKey: Self.mask, data: pong), messageLimit: 100)
                == .keepaliveAnswered)
        #expect(m.keepaliveExpired([1, 2, 3, 4]) == .none)
        let afterPong = m.keepaliveDue(payload: [5, 6, 7, 8])
        #expect(afterPong)
    }

    @Test func anUnansweredKeepaliveClosesWith1011() {
        var m = Machine()
        _ = m.keepaliveDue(payload: [9])
        #expect(m.keepaliveExpired([9]) == .sendClose(code: 1011, reason: "keepalive ping timeout"))
        #expect(m.keepaliveExpired([9]) == .none)
    }
}
