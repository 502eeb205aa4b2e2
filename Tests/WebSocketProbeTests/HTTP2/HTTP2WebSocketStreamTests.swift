import NIOCore
import Testing
import WebSocketDiagnosis
import WebSocketWire

@testable import WebSocketProbe

/// The HTTP/2 stream a WebSocket runs over (`--http2`), as a state machine: no socket, the clock given.
@Suite("HTTP/2 WebSocket stream (--http2, sans-I/O)")
struct HTTP2WebSocketStreamTests {
    static let start = ContinuousClock.now
    static func at(_ ms: Int) -> ContinuousClock.Instant { start + .milliseconds(ms) }
    static let advertised = HTTP2ExtendedConnectExchangeTests.advertised

    /// A stream answered 200 at 30 ms; `released`: the connection took the answer.
    static func opened(released: Bool = true) -> HTTP2WebSocketStream {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(advertised, at: at(10)))
        _ = s.event(.connectWritten(at: at(12)))
        _ = s.event(.answer(status: 200, headers: [HeaderField("sec-websocket-protocol", "chat")], endStream: false, at: at(30)))
        if released { _ = s.event(.released) }
        return s
    }

    /// A server's close frame (unmasked) with `code` and `reason`, as stream data.
    static func closeFrame(_ code: CloseCode, _ reason: String) -> ByteBuffer {
        ByteBuffer(
            bytes: WebSocketFrame(opcode: .close, payload: CloseFrameBody.encode(code: code.rawValue, reason: reason)).encoded(maskKey: nil)
        )
    }

    static let none = HTTP2WebSocketStream.Action.none

    /// The ending an action passes on alone, if that is what it does.
    static func ending(_ action: HTTP2WebSocketStream.Action) -> HTTP2StreamEnding? {
        guard case .forward(let items) = action, items.count == 1, case .ending(let ending) = items[0] else { return nil }
        return ending
    }

    @Test func advertisedSettingsSendTheConnectAndA200OpensTheStream() {
        var s = HTTP2WebSocketStream()
        #expect(s.event(.settings(Self.advertised, at: Self.at(10))) == .sendConnect)
        #expect(s.phase == .awaitingAnswer)
        let action = s.event(.answer(status: 200, headers: [], endStream: false, at: Self.at(30)))
        #expect(action == .opening(.answered(status: 200, headers: [], endStream: false, at: Self.at(30))))
        #expect(s.phase == .open)
        let o = s.observation(since: Self.start)
        #expect(o.outcome == .works && o.status == 200 && o.extendedConnect)
        #expect(o.settingsAtMs == 10 && o.answerAtMs == 30)
    }

    @Test func anInterimAnswerIsNotTheAnswer() {
        // 103 Early Hints from a front, then the 200 (RFC 9113 §8.1): the stream opens on the 200.
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(Self.advertised, at: Self.at(10)))
        #expect(s.event(.answer(status: 103, headers: [], endStream: false, at: Self.at(20))) == HTTP2WebSocketStream.Action.none)
        #expect(s.phase == .awaitingAnswer)
        _ = s.event(.answer(status: 200, headers: [], endStream: false, at: Self.at(30)))
        #expect(s.phase == .open)
    }

    @Test func settingsWithoutTheAdvertisementEndBeforeAnyConnect() {
        var s = HTTP2WebSocketStream()
        let action = s.event(.settings([.init(id: 3, name: "SETTINGS_MAX_CONCURRENT_STREAMS", value: 100)], at: Self.at(10)))
        #expect(action == .opening(.notAdvertised))
        #expect(s.phase == .ended)
        #expect(s.observation(since: Self.start).outcome == .noExtendedConnect)
    }

    @Test(arguments: [403, 501])
    func aRefusalStatusIsTheOpeningsAnswerAndAFailure(_ status: Int) {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(Self.advertised, at: Self.at(10)))
        let action = s.event(.answer(status: status, headers: [], endStream: true, at: Self.at(40)))
        #expect(action == .opening(.answered(status: status, headers: [], endStream: true, at: Self.at(40))))
        let o = s.observation(since: Self.start)
        #expect(o.outcome == .fails && o.status == status && o.failedAtMs == 40)
    }

    @Test func aResetBeforeTheAnswerIsTheOpeningsEndingWithItsCode() {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(Self.advertised, at: Self.at(10)))
        let action = s.event(.reset("REFUSED_STREAM", at: Self.at(25)))
        guard case .opening(.ended(let ending)) = action else {
            Issue.record("expected the opening's ending, got \(action)")
            return
        }
        #expect(ending.end == .http2Reset && ending.kind == .http2StreamReset)
        #expect(s.detail.contains("RST_STREAM REFUSED_STREAM") && s.detail.contains("before the extended CONNECT was answered"))
        #expect(s.observation(since: Self.start).resetCode == "REFUSED_STREAM")
    }

    @Test func aResetOfTheOpenStreamEndsItAsTheTransportEnd() {
        var s = Self.opened()
        let text = ByteBuffer(bytes: WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded(maskKey: nil))
        #expect(s.event(.data(text, endStream: false, at: Self.at(50))) == .forward([.bytes(text, at: Self.at(50))]))
        let action = s.event(.reset("CANCEL", at: Self.at(900)))
        #expect(
            action
                == .forward([
                    .ending(HTTP2StreamEnding(end: .http2Reset, kind: .http2StreamReset, detail: "RST_STREAM CANCEL", at: Self.at(900)))
                ]))
        #expect(s.phase == .ended)
        let o = s.observation(since: Self.start)
        #expect(o.resetCode == "CANCEL" && o.durationMs == 900)
        #expect(o.outcome == .works, "the stream opened: the ending is the transcript's close, not a failed opening")
    }

    @Test func aGracefulGoAwayCoveringTheStreamLetsItRunAnErrorOrOneThatExcludesItEndsIt() {
        var s = Self.opened()
        #expect(s.event(.goAway("NO_ERROR", lastStreamID: 1, at: Self.at(100))) == .none)
        #expect(s.phase == .open)
        var t = Self.opened()
        let action = t.event(.goAway("NO_ERROR", lastStreamID: 0, at: Self.at(100)))
        #expect(
            action
                == .forward([
                    .ending(
                        HTTP2StreamEnding(
                            end: .http2GoAway, kind: .http2GoAway, detail: "GOAWAY NO_ERROR (last stream 0)", at: Self.at(100)))
                ]))
        var u = Self.opened()
        guard let ending = Self.ending(u.event(.goAway("PROTOCOL_ERROR", lastStreamID: 1, at: Self.at(100)))) else {
            Issue.record("an error GOAWAY ends the stream")
            return
        }
        #expect(ending.end == .http2GoAway && u.observation(since: Self.start).goAwayCode == "PROTOCOL_ERROR")
    }

    @Test func endStreamFromTheServerIsTheStreamsFin() {
        var s = Self.opened()
        let action = s.event(.data(ByteBuffer(), endStream: true, at: Self.at(200)))
        #expect(
            action
                == .forward([
                    .ending(
                        HTTP2StreamEnding(
                            end: .http2EndStream, kind: nil, detail: "the server ended the stream (END_STREAM)", at: Self.at(200)))
                ]))
    }

    @Test func theAnswerACloseFrameAndTheEndInOneReadReachTheConnectionInOrderOnceItTookTheAnswer() {
        // 200, a close frame with END_STREAM, the TCP end: one read, before the connection has taken the answer.
        var s = Self.opened(released: false)
        let close = Self.closeFrame(.internalError, "bye")
        #expect(s.event(.data(close, endStream: true, at: Self.at(31))) == Self.none, "held: the connection still reads a handshake")
        #expect(s.event(.connectionEnded(at: Self.at(32))) == Self.none, "the end waits behind the close frame")
        let ending = HTTP2StreamEnding(end: .http2EndStream, kind: nil, detail: "the server ended the stream (END_STREAM)", at: Self.at(31))
        #expect(s.event(.released) == .forward([.bytes(close, at: Self.at(31)), .ending(ending), .inactive(at: Self.at(32))]))
        #expect(s.event(.released) == Self.none, "passed on once")
        #expect(s.observation(since: Self.start).streamEnds == [.init(frame: "END_STREAM", atMs: 31)])
    }

    @Test func afterTheAnswerWasTakenDataAndTheEndPassAtOnce() {
        var s = Self.opened()
        let close = Self.closeFrame(.normalClosure, "")
        #expect(s.event(.data(close, endStream: false, at: Self.at(40))) == .forward([.bytes(close, at: Self.at(40))]))
        #expect(
            s.event(.connectionEnded(at: Self.at(45)))
                == .forward([
                    .ending(HTTP2StreamEnding(end: nil, kind: nil, detail: "the connection ended", at: Self.at(45))),
                    .inactive(at: Self.at(45)),
                ]))
    }

    @Test func theConnectionsEndBeforeAnyAnswerIsNeverHeld() {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(Self.advertised, at: Self.at(10)))
        #expect(s.event(.connectionEnded(at: Self.at(20))) == .forward([.inactive(at: Self.at(20))]))
    }

    @Test func endStreamThenRstStreamAreBothRecordedInOrderAndTheFirstIsTheProvenance() {
        // Node's stream.close(): END_STREAM, then RST_STREAM NO_ERROR (RFC 9113 §8.1).
        var s = Self.opened()
        guard let ending = Self.ending(s.event(.data(ByteBuffer(), endStream: true, at: Self.at(200)))) else {
            Issue.record("END_STREAM ends the open stream")
            return
        }
        #expect(ending.end == .http2EndStream)
        #expect(s.event(.reset("NO_ERROR", at: Self.at(201))) == Self.none, "the provenance stays END_STREAM")
        let o = s.observation(since: Self.start)
        #expect(o.streamEnds == [.init(frame: "END_STREAM", atMs: 200), .init(frame: "RST_STREAM", code: "NO_ERROR", atMs: 201)])
        #expect(o.resetCode == "NO_ERROR")
        #expect(o.durationMs == 200, "the stream ended at the first ending")
        #expect(s.detail.contains("END_STREAM") && s.detail.contains("then RST_STREAM NO_ERROR 1 ms later"), "\(s.detail)")
    }

    @Test func theConnectionsEndBeforeTheAnswerIsAnEndingWithoutAnHTTP2Code() {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(Self.advertised, at: Self.at(10)))
        // The handler hands the opening the connection's end; the machine passes the end on and records it.
        #expect(s.event(.connectionEnded(at: Self.at(60))) == .forward([.inactive(at: Self.at(60))]))
        let o = s.observation(since: Self.start)
        #expect(o.outcome == .fails && o.failedAtMs == 60 && o.resetCode == nil && o.goAwayCode == nil)
        #expect(s.detail == "the connection ended before the extended CONNECT was answered")
    }

    @Test func endingsAfterTheEndAreRecordedAndChangeNotTheEnding() {
        var s = Self.opened()
        _ = s.event(.reset("CANCEL", at: Self.at(900)))
        #expect(s.event(.goAway("PROTOCOL_ERROR", lastStreamID: 0, at: Self.at(950))) == Self.none)
        #expect(s.event(.data(ByteBuffer(bytes: [0x81, 0x00]), endStream: true, at: Self.at(960))) == Self.none)
        let o = s.observation(since: Self.start)
        #expect(o.resetCode == "CANCEL" && o.goAwayCode == "PROTOCOL_ERROR" && o.durationMs == 900)
        #expect(o.streamEnds?.map(\.text) == ["RST_STREAM CANCEL", "GOAWAY PROTOCOL_ERROR"])
        // A later GOAWAY keeps the first one's code; a graceful one that covers the stream ends nothing.
        _ = s.event(.goAway("NO_ERROR", lastStreamID: 0, at: Self.at(970)))
        _ = s.event(.goAway("NO_ERROR", lastStreamID: 1, at: Self.at(980)))
        let later = s.observation(since: Self.start)
        #expect(
            later.goAwayCode == "PROTOCOL_ERROR" && later.streamEnds?.map(\.text).last == "GOAWAY NO_ERROR" && later.streamEnds?.count == 3)
    }
}
