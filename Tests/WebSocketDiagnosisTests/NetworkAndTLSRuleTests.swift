import Testing

@testable import WebSocketDiagnosis

@Suite("Network failure rule")
struct NetworkFailureRuleTests {
    let rule = NetworkFailureRule()

    @Test func dnsStageFailureIsADNSFailure() {
        let v = rule.evaluate(context(Fixture.failed(.dns, "dns-failure", "NXDOMAIN app.example.test")))
        #expect(v?.cause == .dnsFailure)
        #expect(v?.layer == .network)
        #expect(v?.evidenceText.contains("NXDOMAIN") == true)
    }

    @Test func refusedConnectIsConnectionRefused() {
        let v = rule.evaluate(context(Fixture.failed(.tcp, "connection-refused", "ECONNREFUSED 127.0.0.1:9")))
        #expect(v?.cause == .connectionRefused)
        #expect(v?.summary.contains("app.example.test:443") == true)
    }

    @Test func timedOutConnectIsConnectTimeout() {
        let v = rule.evaluate(context(Fixture.failed(.tcp, "connect-timeout", "no SYN-ACK within 2000 ms", atMs: 2003)))
        #expect(v?.cause == .connectTimeout)
        #expect(v?.evidenceText.contains("2003 ms") == true)
    }

    @Test func resetBeforeAnyResponseByteIsANetworkReset() {
        var t = Fixture.failed(.upgrade, "reset", "ECONNRESET")
        t.timings.requestWrittenAtMs = 40
        #expect(rule.evaluate(context(t))?.cause == .networkReset)
        #expect(rule.evaluate(context(Fixture.failed(.tcp, "reset", "ECONNRESET")))?.cause == .networkReset)
    }

    @Test func resetAfterTheResponseStartedIsNotANetworkReset() {
        var t = Fixture.failed(.upgrade, "reset", "ECONNRESET mid-head")
        t.timings.firstResponseByteAtMs = 90
        #expect(rule.evaluate(context(t)) == nil)
    }

    @Test func tlsStageFailureIsNotANetworkFailure() {
        #expect(rule.evaluate(context(Fixture.tlsFailed(.expired))) == nil)
    }

    @Test func unknownTCPFailureIsAGenericConnectFailure() {
        #expect(rule.evaluate(context(Fixture.failed(.tcp, "host-unreachable", "EHOSTUNREACH")))?.cause == .connectFailure)
    }
}

@Suite("TLS failure rule")
struct TLSFailureRuleTests {
    let rule = TLSFailureRule()

    @Test(arguments: [
        (TLSFailureReason.plaintextPort, CauseID.plaintextPort),
        (.selfSigned, .untrustedChain), (.unknownIssuer, .untrustedChain), (.missingIntermediate, .untrustedChain),
        (.expired, .expiredCertificate), (.notYetValid, .expiredCertificate),
        (.hostnameMismatch, .hostnameMismatch), (.handshakeFailure, .tlsHandshakeFailure),
    ])
    func eachTLSFailureReasonMapsToItsCause(reason: TLSFailureReason, cause: CauseID) {
        let v = rule.evaluate(context(Fixture.tlsFailed(reason)))
        #expect(v?.cause == cause)
        #expect(v?.layer == .tls)
    }

    @Test func wrongVersionNumberDetailIsAPlaintextPortEvenWhenTheReasonIsGeneric() {
        let t = Fixture.tlsFailed(.handshakeFailure, detail: "error:0A00010B:SSL routines::wrong version number")
        #expect(rule.evaluate(context(t))?.cause == .plaintextPort)
    }

    @Test func missingIntermediateSummarySaysToServeTheFullChain() {
        let v = rule.evaluate(context(Fixture.tlsFailed(.missingIntermediate)))
        #expect(v?.summary.contains("full chain") == true)
    }

    @Test func anOpenedConnectionIsNeverATLSFailure() {
        var t = Fixture.opened()
        t.tls = TLSObservation(verified: true)
        #expect(rule.evaluate(context(t)) == nil)
    }
}

@Suite("Upgrade timeout rule")
struct UpgradeTimeoutRuleTests {
    let rule = UpgradeTimeoutRule()
    var timedOut: ConnectionTranscript {
        var t = Fixture.failed(.upgrade, "handshake-timeout", "no response head within 10000 ms", atMs: 10070)
        t.timings.requestWrittenAtMs = 70
        return t
    }

    @Test func frontTimingOutWhileDirectUpgradesIsAnUpgradeTimeout() {
        let v = rule.evaluate(context(timedOut, direct: Fixture.opened().asDirect))
        #expect(v?.cause == .upgradeTimeout)
        #expect(v?.evidenceText.contains("10000 ms") == true)
    }

    @Test func bothPathsTimingOutIsTheBackendsHandshake() {
        let v = rule.evaluate(context(timedOut, direct: timedOut.asDirect))
        #expect(v?.cause == .applicationHandshakeTimeout)
    }

    @Test func theDirectRunsFailureKindDecidesNotTheWordTimeoutInItsText() {
        // Refused direct, with "timeout" in the detail text: not a timeout, so not the backend's handshake.
        let refused = Fixture.failed(.tcp, "connection-refused", "connect() refused (the timeout was not reached)")
        let v = rule.evaluate(context(timedOut, direct: refused.asDirect))
        #expect(v?.cause == .inconclusive)
    }

    @Test func withoutADirectRunATimeoutIsInconclusive() {
        let v = rule.evaluate(context(timedOut))
        #expect(v?.layer == .inconclusive)
        #expect(v?.next.contains { $0.action == .compareDirect } == true)
    }
}

@Suite("Upgrade closed without an answer")
struct UpgradeClosedWithoutAnswerTests {
    let rule = UpgradeTimeoutRule()
    let closed = Fixture.failed(.upgrade, "connection-closed", "the connection ended (eof) before any response byte")

    @Test func theFrontClosingTheUpgradeWhileDirectWorksIsTheFrontRejectingIt() {
        let v = rule.evaluate(context(closed, direct: Fixture.opened().asDirect))
        #expect(v?.cause == .upgradeRejected)
        #expect(v?.evidenceText.contains("before a complete HTTP answer") == true)
    }

    @Test func aClosedUpgradeWithoutADirectRunIsInconclusive() {
        #expect(rule.evaluate(context(closed))?.layer == .inconclusive)
    }

    @Test func aRejectedUpgradeWithAStatusIsNotForThisRule() {
        #expect(rule.evaluate(context(Fixture.rejected(403))) == nil)
    }
}
