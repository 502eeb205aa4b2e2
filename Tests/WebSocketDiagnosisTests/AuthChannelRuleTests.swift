import Testing

@testable import WebSocketDiagnosis

@Suite("Auth channel rule")
struct AuthChannelRuleTests {
    let rule = AuthChannelRule()
    let credential = ProbeExpectations(profile: "reference", sentCredential: true)

    func result(_ channel: AuthChannel, _ path: ProbePath, _ accepted: Bool, status: Int? = nil, closeCode: Int? = nil) -> AuthChannelResult
    {
        AuthChannelResult(
            channel: channel, path: path, accepted: accepted, status: accepted ? 101 : status, closeCode: closeCode, detail: "")
    }

    @Test func headerRejectedThroughTheFrontWhileSubprotocolSurvivesIsAStrippedHeader() {
        let matrix = [
            result(.subprotocol, .front, true), result(.header, .front, false, status: 403), result(.query, .front, true),
            result(.subprotocol, .direct, true), result(.header, .direct, true), result(.query, .direct, true),
        ]
        let v = rule.evaluate(context(Fixture.rejected(403), authChannels: matrix, expectations: credential))
        #expect(v?.cause == .headerStripped)
        #expect(v?.summary.contains("Authorization") == true)
        #expect(v?.summary.contains("subprotocol channel survives") == true)
        #expect((v?.confidence ?? 0) >= 0.85)
    }

    @Test func frontAnswerWithTheCredentialEqualToTheBackendsAnswerWithoutItIsAStrippedHeader() {
        let matrix = [
            result(.header, .front, false, status: 403), result(.header, .direct, true), result(.none, .direct, false, status: 403),
        ]
        let v = rule.evaluate(context(Fixture.rejected(403), authChannels: matrix, expectations: credential))
        #expect(v?.cause == .headerStripped)
        #expect(v?.evidenceText.contains("without any credential") == true)
    }

    @Test func frontRejectingEveryChannelWithADifferentAnswerIsNotAStrippedHeader() {
        // A WAF answers 403 to everything; the backend's own answer without a credential is a 1008 after accept.
        let matrix = [
            result(.header, .front, false, status: 403), result(.subprotocol, .front, false, status: 403),
            result(.header, .direct, true), result(.subprotocol, .direct, true), result(.none, .direct, false, closeCode: 1008),
        ]
        #expect(rule.evaluate(context(Fixture.rejected(403), authChannels: matrix, expectations: credential)) == nil)
    }

    @Test func anUnrelatedMainFailureIsNotOverriddenByTheMatrix() {
        let matrix = [result(.header, .front, false, status: 403), result(.subprotocol, .front, true), result(.header, .direct, true)]
        let main = Fixture.opened().endingBare(at: 30_132)
        #expect(rule.evaluate(context(main, authChannels: matrix, expectations: credential)) == nil)
    }

    @Test func noMatrixMeansNoVerdict() {
        #expect(rule.evaluate(context(Fixture.rejected(403))) == nil)
    }
}

@Suite("Handshake validity rule")
struct HandshakeValidityRuleTests {
    let rule = HandshakeValidityRule()

    @Test func aBadAcceptKeyIsAHandshakeError() {
        var t = Fixture.failed(.upgrade, "invalid-upgrade-response", "bad accept")
        t.handshake = HandshakeObservation(status: 101, acceptValid: false)
        t = t.finding(.badAcceptKey, "expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo=, got abc")
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .handshakeError)
        #expect(v?.evidenceText.contains("handshake.bad-accept-key") == true)
    }

    @Test func aMissingUpgradeHeaderIsAHandshakeError() {
        var t = Fixture.failed(.upgrade, "invalid-upgrade-response", "no Upgrade")
        t.handshake = HandshakeObservation(status: 101)
        #expect(rule.evaluate(context(t.finding(.missingUpgradeHeader, "no Upgrade: websocket")))?.cause == .handshakeError)
    }

    @Test func offeredSubprotocolsWithNoneSelectedIsSubprotocolNotEchoed() {
        let t = Fixture.opened(offered: ["jwt-auth", "jwt.<redacted>"], selected: nil)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .subprotocolNotEchoed)
        #expect(v?.evidenceText.contains("jwt-auth") == true)
    }

    @Test func theSubprotocolFindingAloneIsEnough() {
        var t = Fixture.failed(.upgrade, "invalid-upgrade-response", "no subprotocol")
        t.handshake = HandshakeObservation(status: 101, acceptValid: true)
        #expect(rule.evaluate(context(t.finding(.subprotocolNotEchoed, "offered jwt-auth, got none")))?.cause == .subprotocolNotEchoed)
    }

    @Test func anEchoedSubprotocolIsValid() {
        #expect(rule.evaluate(context(Fixture.opened(offered: ["jwt-auth", "jwt.<redacted>"], selected: "jwt-auth"))) == nil)
    }

    @Test func anUnofferedExtensionIsAHandshakeError() {
        #expect(rule.evaluate(context(Fixture.opened().finding(.unexpectedExtension, "permessage-deflate")))?.cause == .handshakeError)
    }

    @Test func aMalformedAnswerBeforeOpenIsAHandshakeError() {
        let t = Fixture.failed(.upgrade, "invalid-upgrade-response", "garbage").finding(.malformedResponse, "not HTTP/1.x")
        #expect(rule.evaluate(context(t))?.cause == .handshakeError)
    }
}

@Suite("Client keepalive rule")
struct ClientKeepaliveRuleTests {
    let rule = ClientKeepaliveRule()

    /// Pongs stop after 10 s; we give up at 20 s and send 1011; nothing comes back.
    var gaveUp: ConnectionTranscript {
        let good = pingsEvery(2000, from: 2120, to: 10_120)
        let bad = pingsEvery(2000, from: 12_120, to: 20_120, answered: false)
        return Fixture.opened(frames: good.frames + bad.frames, pings: good.pings + bad.pings)
            .sendingClose(1011, "keepalive ping timeout", at: 22_120, answered: false)
            .finding(.keepaliveTimeout, "5 pings without pong within 10000 ms", atMs: 22_120)
    }

    @Test func sentOnly1011AfterUnansweredPingsIsTheClientsKeepalive() {
        let v = rule.evaluate(context(gaveUp))
        #expect(v?.cause == .clientKeepaliveTimeout)
        #expect(v?.layer == .client)
        #expect(v?.evidenceText.contains("no close frame was received") == true)
        #expect(v?.evidenceText.contains("5 of our 10 pings got no pong") == true)
    }

    @Test func received1011IsNotTheClientsKeepalive() {
        let t = Fixture.opened().receivingClose(1011, "keepalive ping timeout", at: 25_000)
        #expect(rule.evaluate(context(t)) == nil)
    }

    @Test func aNormalCloseWeSentIsNotAKeepaliveTimeout() {
        let t = Fixture.opened().sendingClose(1000, at: 3000, answered: true)
        #expect(rule.evaluate(context(t)) == nil)
    }
}

@Suite("Peer protocol violation rule")
struct PeerProtocolViolationRuleTests {
    let rule = PeerProtocolViolationRule()

    @Test func reservedBitsFromThePeerAreAProtocolError() {
        let t = Fixture.opened().finding(.reservedBits, "RSV1 set without permessage-deflate", atMs: 400)
            .sendingClose(1002, "reserved bits", at: 401, answered: false, end: .localClose, endAt: 402)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .protocolError)
        #expect(v?.evidenceText.contains("400 ms") == true)
    }

    @Test func anUnsolicitedPongIsAllowedAndNotAViolation() {
        #expect(rule.evaluate(context(Fixture.opened().finding(.unsolicitedPong, "heartbeat"))) == nil)
    }
}
