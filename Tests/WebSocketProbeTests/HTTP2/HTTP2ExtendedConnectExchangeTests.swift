import Testing
import WebSocketDiagnosis
import WebSocketWire

@testable import WebSocketProbe

/// The RFC 8441 exchange as a state machine: no socket, no clock.
@Suite("HTTP/2 extended CONNECT exchange (sans-I/O)")
struct HTTP2ExtendedConnectExchangeTests {
    static let advertised = [
        HTTP2Observation.Setting(id: 3, name: "SETTINGS_MAX_CONCURRENT_STREAMS", value: 100),
        HTTP2Observation.Setting(id: 8, name: "SETTINGS_ENABLE_CONNECT_PROTOCOL", value: 1),
    ]

    /// The masked-or-not pong frame a server sends for `payload`.
    static func pong(_ payload: [UInt8]) -> [UInt8] {
        WebSocketFrame(opcode: .pong, payload: payload).encoded(maskKey: nil)
    }

    @Test func settingsWithoutEnableConnectProtocolMeanBrowsersUseHTTP1() {
        var x = HTTP2ExtendedConnectExchange()
        let action = x.event(.settings([.init(id: 3, name: "SETTINGS_MAX_CONCURRENT_STREAMS", value: 100)], at: 5))
        #expect(action == .finish(closeStream: false))
        #expect(x.observation.outcome == .noExtendedConnect)
        #expect(x.observation.extendedConnect == false)
        #expect(x.observation.settingsAtMs == 5)
        #expect(x.observation.step.status == .passed)
    }

    @Test func enableConnectProtocolZeroIsNotAnAdvertisement() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings([.init(id: 8, name: "SETTINGS_ENABLE_CONNECT_PROTOCOL", value: 0)], at: 5))
        #expect(x.observation.outcome == .noExtendedConnect)
    }

    @Test func advertisedThen200ThenPongWorks() {
        var x = HTTP2ExtendedConnectExchange()
        #expect(x.event(.settings(Self.advertised, at: 5)) == .sendConnect)
        #expect(
            x.event(.answer(status: 200, headers: [HeaderField("sec-websocket-protocol", "chat")], endStream: false, at: 9))
                == .sendPing(x.pingPayload))
        x.pingWritten(at: 10)
        // A welcome message first, then the pong, split across two DATA frames.
        let welcome = WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded(maskKey: nil)
        let pong = Self.pong(x.pingPayload)
        #expect(x.event(.data(welcome + pong.prefix(3), endStream: false, at: 11)) == .none)
        #expect(x.event(.data(Array(pong.dropFirst(3)), endStream: false, at: 14)) == .finish(closeStream: true))
        #expect(x.observation.outcome == .works)
        #expect(x.observation.pingRttMs == 4)
        #expect(x.observation.subprotocol == "chat")
        #expect(x.observation.failedAtMs == nil)
    }

    @Test func an103BeforeThe200IsNotARefusal() {
        // Early Hints from a front are not the browser-only failure: the check waits for the final answer.
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        #expect(x.event(.answer(status: 103, headers: [], endStream: false, at: 7)) == .none)
        #expect(x.event(.answer(status: 200, headers: [], endStream: false, at: 9)) == .sendPing(x.pingPayload))
        #expect(x.observation.status == 200)
    }

    @Test func aPongWithAnotherPayloadIsNotOurs() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        _ = x.event(.answer(status: 200, headers: [], endStream: false, at: 9))
        #expect(x.event(.data(Self.pong(Array("other".utf8)), endStream: false, at: 12)) == .none)
        #expect(x.phase == .awaitingPong)
    }

    @Test(arguments: [403, 404, 501, 400])
    func aRefusalStatusFailsWithTheStatusAndTime(_ status: Int) {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        #expect(x.event(.answer(status: status, headers: [], endStream: true, at: 31)) == .finish(closeStream: false))
        #expect(x.observation.outcome == .fails)
        #expect(x.observation.status == status)
        #expect(x.observation.failedAtMs == 31)
        #expect(x.observation.detail.contains("\(status)"))
        #expect(x.observation.step.status == .failed)
    }

    @Test func aResetStreamFailsWithItsCode() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        _ = x.event(.reset("CONNECT_ERROR", at: 20))
        #expect(x.observation.outcome == .fails)
        #expect(x.observation.resetCode == "CONNECT_ERROR")
        #expect(
            x.observation.detail.contains("RST_STREAM CONNECT_ERROR") && x.observation.detail.contains("in answer to the extended CONNECT"))
    }

    @Test func aResetAfterThe200IsAFailureBeforeThePong() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        _ = x.event(.answer(status: 200, headers: [], endStream: false, at: 9))
        #expect(x.event(.reset("CANCEL", at: 40)) == .finish(closeStream: true))
        #expect(x.observation.outcome == .fails)
        #expect(x.observation.detail.contains("after the 200"))
    }

    @Test func aGracefulGoAwayCoveringOurStreamKeepsWaitingAnErrorOneFails() {
        var graceful = HTTP2ExtendedConnectExchange()
        _ = graceful.event(.settings(Self.advertised, at: 5))
        #expect(graceful.event(.goAway("NO_ERROR", lastStreamID: 1, at: 8)) == .none)
        #expect(graceful.phase == .awaitingAnswer)
        var broken = HTTP2ExtendedConnectExchange()
        _ = broken.event(.settings(Self.advertised, at: 5))
        _ = broken.event(.goAway("PROTOCOL_ERROR", lastStreamID: 0, at: 8))
        #expect(broken.observation.outcome == .fails)
        #expect(broken.observation.goAwayCode == "PROTOCOL_ERROR")
    }

    @Test func theStreamEndedBeforeTheAnswerFailsAtOnceNotAtTheBound() {
        // The --http2 stream always read it so; the check waited for the upgrade bound.
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        #expect(x.event(.data([], endStream: true, at: 12)) == .finish(closeStream: false))
        #expect(x.observation.outcome == .fails && x.observation.failedAtMs == 12)
        #expect(x.observation.detail.contains("before answering the extended CONNECT"), "\(x.observation.detail)")
    }

    @Test func bothMachinesJudgeAnswersAndGoAwaysByTheSameRules() {
        typealias Rules = HTTP2ExtendedConnectRules
        #expect(Rules.answer(status: 103, endStream: false) == .interim)
        #expect(Rules.answer(status: 200, endStream: false) == .opens)
        #expect(Rules.answer(status: 200, endStream: true) == .refuses("200 with END_STREAM"))
        #expect(Rules.answer(status: 103, endStream: true) == .refuses("103 with END_STREAM"))
        #expect(Rules.answer(status: nil, endStream: false) == .refuses("no :status"))
        #expect(Rules.advertises(Self.advertised) && !Rules.advertises(Self.advertised + [.init(id: 8, name: "", value: 0)]))
        #expect(Rules.letsTheStreamRun(goAwayCode: "NO_ERROR", lastStreamID: 1))
        #expect(
            !Rules.letsTheStreamRun(goAwayCode: "NO_ERROR", lastStreamID: 0)
                && !Rules.letsTheStreamRun(goAwayCode: "CANCEL", lastStreamID: 1))
        // A 200 with END_STREAM: no tunnel for either machine.
        var check = HTTP2ExtendedConnectExchange()
        _ = check.event(.settings(Self.advertised, at: 5))
        _ = check.event(.answer(status: 200, headers: [], endStream: true, at: 9))
        var stream = HTTP2WebSocketStream()
        let start = ContinuousClock.now
        _ = stream.event(.settings(Self.advertised, at: start))
        _ = stream.event(.answer(status: 200, headers: [], endStream: true, at: start))
        #expect(check.observation.outcome == .fails && stream.observation(since: start).outcome == .fails)
        #expect(check.observation.detail.contains("200 with END_STREAM") && stream.detail.contains("200 with END_STREAM"))
    }

    @Test func noAnswerWithinTheBoundFails() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        _ = x.event(.timedOut("5s (--upgrade-timeout)", at: 5005))
        #expect(x.observation.outcome == .fails)
        #expect(x.observation.detail.contains("no answer to the extended CONNECT"))
    }

    @Test func anEndBeforeAnySettingsIsUncheckedNotAFailure() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.ended("TCP end", at: 3))
        #expect(x.observation.outcome == .unchecked)
        #expect(x.observation.step.status == .skipped)
    }

    // MARK: - The profile's first message

    /// The lab profile's first message (its JSON heartbeat, `ping` answered by `pong`).
    static let labMessage = HTTP2CheckMessage.first(of: .lab, token: nil, messageBound: .seconds(2))!

    static func text(_ text: String) -> [UInt8] {
        WebSocketFrame(opcode: .text, payload: Array(text.utf8)).encoded(maskKey: nil)
    }

    /// An exchange with `message`, answered 200 and its ping's pong read at 14 ms.
    static func afterPong(_ message: HTTP2CheckMessage) -> (HTTP2ExtendedConnectExchange, HTTP2ExtendedConnectExchange.Action) {
        var x = HTTP2ExtendedConnectExchange(message: message)
        _ = x.event(.settings(advertised, at: 5))
        _ = x.event(.answer(status: 200, headers: [], endStream: false, at: 9))
        x.pingWritten(at: 10)
        let action = x.event(.data(pong(x.pingPayload), endStream: false, at: 14))
        return (x, action)
    }

    @Test func afterThePongTheProfilesFirstMessageGoesOutAndItsAnswerMakesItWork() {
        var (x, action) = Self.afterPong(Self.labMessage)
        #expect(action == .sendText(#"{"type":"ping","payload":{}}"#))
        #expect(x.phase == .awaitingReply && x.observation.outcome == .unchecked, "the pong alone does not decide")
        x.messageWritten(at: 15)
        // The welcome is not the answer; the pong event, split over two DATA frames, is.
        let pongEvent = Self.text(#"{"type":"pong"}"#)
        #expect(x.event(.data(Self.text(#"{"type":"connection_established"}"#) + pongEvent.prefix(4), endStream: false, at: 16)) == .none)
        #expect(x.event(.data(Array(pongEvent.dropFirst(4)), endStream: false, at: 21)) == .finish(closeStream: true))
        let o = x.observation
        #expect(o.outcome == .works && o.pingRttMs == 4)
        #expect(o.messageSent == "ping" && o.messageAnswered == true && o.messageRttMs == 6)
        #expect(o.detail.contains("the profile's first message (ping) was answered (pong)"), "\(o.detail)")
    }

    @Test func aFragmentedEchoAnswersAnAnyReplyMessage() {
        let echo = HTTP2CheckMessage.first(of: .echo, token: nil, messageBound: .seconds(2))!
        #expect(echo.anyReply)
        var (x, action) = Self.afterPong(echo)
        guard case .sendText = action else {
            Issue.record("the echo profile's message goes out after the pong, got \(action)")
            return
        }
        let first = WebSocketFrame(fin: false, opcode: .text, payload: Array("ws1011 ".utf8)).encoded(maskKey: nil)
        let last = WebSocketFrame(opcode: .continuation, payload: Array("echo".utf8)).encoded(maskKey: nil)
        #expect(x.event(.data(first, endStream: false, at: 16)) == .none, "half a message is no answer yet")
        #expect(x.event(.data(last, endStream: false, at: 17)) == .finish(closeStream: true))
        #expect(x.observation.messageAnswered == true)
    }

    @Test func noAnswerToTheProfilesFirstMessageWithinItsBoundFails() {
        var (x, _) = Self.afterPong(Self.labMessage)
        _ = x.event(.timedOut("2s (the profile's message bound)", at: 2015))
        let o = x.observation
        #expect(o.outcome == .fails && o.failedAtMs == 2015 && o.step.status == .failed)
        #expect(o.messageSent == "ping" && o.messageAnswered == false && o.pingRttMs == 4)
        #expect(o.detail.contains("no answer to the profile's first message (ping)"), "\(o.detail)")
    }

    @Test func anApplicationErrorInAnswerToTheMessageFails() {
        var (x, _) = Self.afterPong(Self.labMessage)
        #expect(
            x.event(.data(Self.text(#"{"type":"error","payload":{"message":"no"}}"#), endStream: false, at: 20))
                == .finish(closeStream: true))
        #expect(x.observation.outcome == .fails && x.observation.messageAnswered == false)
        #expect(x.observation.detail.contains("with error"), "\(x.observation.detail)")
    }

    @Test func theStreamEndingBeforeTheAnswerFails() {
        var (x, _) = Self.afterPong(Self.labMessage)
        #expect(x.event(.data([], endStream: true, at: 30)) == .finish(closeStream: true))
        #expect(x.observation.outcome == .fails)
        #expect(x.observation.detail.contains("before answering the profile's first message"), "\(x.observation.detail)")
    }

    @Test func theFirstMessageIsTheOneTheHTTP1RunSendsFirst() {
        #expect(HTTP2CheckMessage.first(of: .plain, token: nil, messageBound: .seconds(1)) == nil, "plain sends no message")
        #expect(
            HTTP2CheckMessage.first(of: .socketIO, token: nil, messageBound: .seconds(1)) == nil, "Socket.IO needs its own handshake first")
        var profile = ApplicationProfile.lab
        profile.heartbeat = nil
        let stream = HTTP2CheckMessage.first(of: profile, token: "t0k", messageBound: .seconds(1))
        #expect(stream?.name == "stream_request" && stream?.answers == ["stream_complete", "partial_result"])
        #expect(stream?.within == .seconds(1))
    }

    @Test func eventsAfterTheDecisionChangeNothing() {
        var x = HTTP2ExtendedConnectExchange()
        _ = x.event(.settings(Self.advertised, at: 5))
        _ = x.event(.answer(status: 501, headers: [], endStream: true, at: 9))
        #expect(x.event(.ended("TCP end", at: 12)) == .none)
        #expect(x.observation.status == 501 && x.observation.failedAtMs == 9)
    }
}
