import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

/// The HTTP/2 stream a WebSocket runs over (`--http2`), as a state machine: no socket, the clock given.
@Suite("HTTP/2 WebSocket stream (--http2, sans-I/O)")
struct HTTP2WebSocketStreamTests {
    static let start = ContinuousClock.now
    static func at(_ ms: Int) -> ContinuousClock.Instant { start + .milliseconds(ms) }
    static let advertised = HTTP2ExtendedConnectExchangeTests.advertised

    /// A stream answered 200 at 30 ms.
    static func opened() -> HTTP2WebSocketStream {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(advertised, at: at(10)))
        _ = s.event(.connectWritten(at: at(12)))
        _ = s.event(.answer(status: 200, headers: [HeaderField("sec-websocket-protocol", "chat")], endStream: false, at: at(30)))
        return s
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
        #expect(s.event(.data(endStream: false, at: Self.at(50))) == .none)
        let action = s.event(.reset("CANCEL", at: Self.at(900)))
        #expect(action == .end(HTTP2StreamEnding(end: .http2Reset, kind: .http2StreamReset, detail: "RST_STREAM CANCEL", at: Self.at(900))))
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
        #expect(action == .end(HTTP2StreamEnding(end: .http2GoAway, kind: .http2GoAway, detail: "GOAWAY NO_ERROR (last stream 0)", at: Self.at(100))))
        var u = Self.opened()
        guard case .end(let ending) = u.event(.goAway("PROTOCOL_ERROR", lastStreamID: 1, at: Self.at(100))) else {
            Issue.record("an error GOAWAY ends the stream")
            return
        }
        #expect(ending.end == .http2GoAway && u.observation(since: Self.start).goAwayCode == "PROTOCOL_ERROR")
    }

    @Test func endStreamFromTheServerIsTheStreamsFin() {
        var s = Self.opened()
        let action = s.event(.data(endStream: true, at: Self.at(200)))
        #expect(action == .end(HTTP2StreamEnding(end: .http2EndStream, kind: nil, detail: "the server ended the stream (END_STREAM)", at: Self.at(200))))
    }

    @Test func theConnectionsEndBeforeTheAnswerIsAnEndingWithoutAnHTTP2Code() {
        var s = HTTP2WebSocketStream()
        _ = s.event(.settings(Self.advertised, at: Self.at(10)))
        guard case .opening(.ended(let ending)) = s.event(.connectionEnded(at: Self.at(60))) else {
            Issue.record("expected an ending")
            return
        }
        #expect(ending.end == nil && ending.kind == nil)
        #expect(s.observation(since: Self.start).outcome == .fails)
    }

    @Test func eventsAfterTheEndChangeNothing() {
        var s = Self.opened()
        _ = s.event(.reset("CANCEL", at: Self.at(900)))
        #expect(s.event(.goAway("PROTOCOL_ERROR", lastStreamID: 0, at: Self.at(950))) == .none)
        #expect(s.event(.data(endStream: true, at: Self.at(960))) == .none)
        #expect(s.observation(since: Self.start).goAwayCode == nil)
    }
}
