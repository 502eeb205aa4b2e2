import Testing
import WebSocketDiagnosis
import WebSocketWire

@testable import WebSocketProbe

/// The probe connection's decisions without sockets or clocks: opening, the close handshake each way,
/// protocol violations, the caller's close, timeouts, and how each end is described.
@Suite("WebSocketProbe client connection state machine")
struct WebSocketConnectionStateMachineTests {
    typealias Machine = WebSocketConnectionStateMachine

    /// A machine whose upgrade was accepted.
    static func open(secure: Bool = false) -> Machine {
        var m = Machine()
        m.transportConnected(secure: secure)
        if secure { m.tlsHandshakeCompleted() }
        _ = m.upgradeAnswered(.accepted)
        return m
    }

    // MARK: - Opening

    @Test func aPlainConnectionUpgradesAndOpens() {
        var m = Machine()
        #expect(m.phase == .connecting)
        #expect(!m.readsFrames)
        m.transportConnected(secure: false)
        #expect(m.phase == .upgrading)
        #expect(m.upgradeAnswered(.accepted) == .none)
        #expect(m.isOpen)
        #expect(m.readsFrames)
    }

    @Test func aSecureConnectionUpgradesOnlyAfterTheTLSHandshake() {
        var m = Machine()
        m.transportConnected(secure: true)
        #expect(m.phase == .tls)
        // A response before TLS finished is not an upgrade answer.
        #expect(m.upgradeAnswered(.accepted) == .none)
        #expect(m.phase == .tls)
        m.tlsHandshakeCompleted()
        #expect(m.phase == .upgrading)
    }

    @Test func anErrorDuringTLSIsTheHandshakesFailureAndLaterErrorsAreNot() {
        var m = Machine()
        m.transportConnected(secure: true)
        #expect(m.errorCaught(.tls("CERTIFICATE_VERIFY_FAILED")) == .recordTLSFailure(.tls("CERTIFICATE_VERIFY_FAILED")))
        #expect(m.phase == .failing)
        #expect(m.errorCaught(.reset("connection reset by peer")) == .none)
        // The first error is the one that tells how the transport ended.
        #expect(m.transportError == .tls("CERTIFICATE_VERIFY_FAILED"))
        #expect(m.transportEnded() == .recordEnd(.plain, end: .eof))
    }

    @Test func aTransportThatEndsDuringTLSIsATLSFailure() {
        var m = Machine()
        m.transportConnected(secure: true)
        #expect(m.transportEnded() == .recordEnd(.duringTLS(nil), end: .eof))
        #expect(m.isEnded)
    }

    @Test func aTLSTimeoutClosesTheTransportAsALocalTimeout() {
        var m = Machine()
        m.transportConnected(secure: true)
        #expect(m.tlsTimedOut() == .closeTransport)
        #expect(m.phase == .failing)
        #expect(m.transportEnded() == .recordEnd(.plain, end: .localTimeout))
    }

    @Test func aRefusedUpgradeReadsItsBodyUntilTheTransportEnds() {
        var m = Machine()
        m.transportConnected(secure: false)
        #expect(m.upgradeAnswered(.rejected) == .none)
        #expect(m.phase == .rejectedBody)
        #expect(!m.readsFrames)
        #expect(m.transportEnded() == .recordEnd(.duringRejectedBody, end: .eof))
    }

    @Test func anInvalid101FailsTheConnectionAndClosesIt() {
        var m = Machine()
        m.transportConnected(secure: false)
        #expect(m.upgradeAnswered(.invalid) == .closeTransport)
        #expect(m.phase == .failing)
        #expect(m.localEnd == .localClose)
        #expect(m.transportEnded() == .recordEnd(.plain, end: .localClose))
    }

    @Test func anUpgradeTimeoutClosesAsALocalTimeoutOnlyWhileUpgrading() {
        var m = Machine()
        m.transportConnected(secure: false)
        #expect(m.upgradeTimedOut() == .closeTransport)
        #expect(m.localEnd == .localTimeout)
        var opened = Self.open()
        #expect(opened.upgradeTimedOut() == .none)
        #expect(opened.isOpen)
    }

    @Test func aTransportThatEndsDuringTheUpgradeSaysHowItEnded() {
        var m = Machine()
        m.transportConnected(secure: false)
        _ = m.errorCaught(.reset("connection reset by peer"))
        #expect(m.transportEnded() == .recordEnd(.duringUpgrade, end: .reset))
    }

    // MARK: - The peer closes

    @Test func thePeersCloseIsAnsweredWithItsCodeThenTheTransportIsDroppedAfterTheBound() {
        var m = Self.open()
        #expect(m.closeFrameReceived(echo: 1011) == .answerCloseThenArmDrop(code: 1011))
        #expect(m.phase == .closing)
        #expect(m.closeSent && m.closeReceived)
        // A second close frame is not answered again.
        #expect(m.closeFrameReceived(echo: 1000) == .none)
        // The peer's close came: the end is clean, not a 1006.
        #expect(m.transportEnded() == .recordEnd(.plain, end: .eof))
    }

    @Test func aCloseThatAnswersOursIsNotAnsweredAgain() {
        var m = Self.open()
        #expect(m.closeRequested(code: 1000, reason: "bye") == .sendClose(code: 1000, reason: "bye"))
        #expect(m.phase == .closing)
        #expect(m.closeFrameReceived(echo: 1000) == .armDrop)
    }

    @Test func framesAfterThePeersCloseAreDataAfterCloseOrLateControl() {
        var m = Self.open()
        _ = m.closeFrameReceived(echo: 1000)
        #expect(m.frameArrived(.text, answerPings: true) == .dataAfterClose)
        #expect(m.frameArrived(.binary, answerPings: true) == .dataAfterClose)
        #expect(m.frameArrived(.pong, answerPings: true) == .lateControl)
        #expect(m.frameArrived(.ping, answerPings: true) == .lateControl)
    }

    @Test func pingsAreAnsweredOnlyWhileAnsweringAndBeforeOurClose() {
        var m = Self.open()
        #expect(m.frameArrived(.ping, answerPings: true) == .answerPing)
        #expect(m.frameArrived(.ping, answerPings: false) == .countPing)
        #expect(m.frameArrived(.text, answerPings: true) == .handle)
        #expect(m.mayAnswerPing(answerPings: true))
        _ = m.closeRequested(code: 1000, reason: "")
        #expect(m.frameArrived(.ping, answerPings: true) == .countPing)
        #expect(!m.mayAnswerPing(answerPings: true))
    }

    @Test func aTransportEndWithoutThePeersCloseIsA1006NamedByHowItEnded() {
        var eof = Self.open()
        #expect(eof.transportEnded() == .recordEnd(.withoutCloseFrame(.connectionClosed), end: .eof))
        var reset = Self.open()
        _ = reset.errorCaught(.reset("connection reset by peer"))
        #expect(reset.transportEnded() == .recordEnd(.withoutCloseFrame(.reset), end: .reset))
        var truncated = Self.open(secure: true)
        _ = truncated.errorCaught(.tlsUncleanShutdown)
        #expect(truncated.transportEnded() == .recordEnd(.withoutCloseFrame(.tlsTruncated), end: .tlsNoCloseNotify))
        // After our close with no answer, the end is still the peer's failure to close.
        var unanswered = Self.open()
        _ = unanswered.closeRequested(code: 1000, reason: "")
        #expect(unanswered.transportEnded() == .recordEnd(.withoutCloseFrame(.connectionClosed), end: .eof))
    }

    // MARK: - Violations

    @Test func aViolationSendsItsCloseCodeThenClosesTheTransport() {
        var m = Self.open()
        #expect(m.violation(closeCode: 1002) == .sendCloseThenCloseTransport(code: 1002, reason: "protocol error"))
        #expect(m.phase == .closing)
        #expect(m.localEnd == .localClose)
        // We closed: the end is ours, not a failure of the peer to close.
        #expect(m.transportEnded() == .recordEnd(.plain, end: .localClose))
    }

    @Test func anOversizedMessageIsClosedWith1009AndItsReason() {
        var m = Self.open()
        #expect(m.violation(closeCode: 1009) == .sendCloseThenCloseTransport(code: 1009, reason: "message too big"))
    }

    @Test func aViolationAfterOurCloseOnlyClosesTheTransport() {
        var m = Self.open()
        _ = m.closeRequested(code: 1000, reason: "")
        #expect(m.violation(closeCode: 1002) == .closeTransport)
        #expect(m.localEnd == .localClose)
    }

    @Test func noViolationIsActedOnBeforeTheUpgradeOrAfterTheEnd() {
        var m = Machine()
        m.transportConnected(secure: false)
        #expect(m.violation(closeCode: 1002) == .none)
        var ended = Self.open()
        _ = ended.transportEnded()
        #expect(ended.violation(closeCode: 1002) == .none)
        #expect(ended.closeFrameReceived(echo: 1000) == .none)
    }

    // MARK: - The caller

    @Test func closingBeforeTheUpgradeClosesTheTransportWithoutAFrame() {
        for secure in [false, true] {
            var m = Machine()
            m.transportConnected(secure: secure)
            #expect(m.closeRequested(code: 1000, reason: "") == .closeTransport)
            #expect(!m.closeSent)
            #expect(m.localEnd == .localClose)
        }
    }

    @Test func aSecondCloseSendsNoSecondFrame() {
        var m = Self.open()
        #expect(m.closeRequested(code: 1000, reason: "") == .sendClose(code: 1000, reason: ""))
        #expect(m.closeRequested(code: 1001, reason: "") == .none)
    }

    @Test func aCloseBoundThatPassesIsALocalTimeoutUnlessThePeerClosed() {
        var waiting = Self.open()
        _ = waiting.closeRequested(code: 1000, reason: "")
        #expect(waiting.closeTimedOut() == .closeTransport)
        #expect(waiting.transportEnded() == .recordEnd(.plain, end: .localTimeout))
        var answered = Self.open()
        _ = answered.closeRequested(code: 1000, reason: "")
        _ = answered.closeFrameReceived(echo: 1000)
        #expect(answered.closeTimedOut() == .closeTransport)
        #expect(answered.transportEnded() == .recordEnd(.plain, end: .localClose))
    }

    @Test func theFirstLocalReasonWins() {
        var m = Self.open()
        _ = m.closeTransport(.localTimeout)
        _ = m.closeTransport(.localClose)
        #expect(m.localEnd == .localTimeout)
    }

    @Test func aKeepaliveTimeoutClosesWith1011OnlyWhileOpen() {
        var m = Self.open()
        #expect(m.keepaliveTimedOut() == .sendClose(code: 1011, reason: "keepalive ping timeout"))
        #expect(m.keepaliveTimedOut() == .none)
        var ended = Self.open()
        _ = ended.transportEnded()
        #expect(ended.keepaliveTimedOut() == .none)
    }

    @Test func nothingHappensAfterTheEnd() {
        var m = Self.open()
        _ = m.transportEnded()
        #expect(m.transportEnded() == .none)
        #expect(m.closeRequested(code: 1000, reason: "") == .none)
        #expect(m.closeTransport(.localClose) == .none)
        #expect(m.sendClose(code: 1000, reason: "") == .none)
    }

    @Test func anAttemptWithoutATransportEndsAtOnce() {
        var m = Machine()
        m.notConnected()
        #expect(m.isEnded)
        #expect(m.closeRequested(code: 1000, reason: "") == .none)
    }
}
