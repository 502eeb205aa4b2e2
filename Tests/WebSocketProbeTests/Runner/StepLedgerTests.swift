import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("Step ledger")
struct StepLedgerTests {
    private func target(_ scheme: String = "ws") -> TargetDescription {
        TargetDescription(url: "\(scheme)://127.0.0.1:9/ws", scheme: scheme, host: "127.0.0.1", port: 9, resource: "/ws")
    }

    @Test func stepsAfterTheFirstFailureAreSkippedWithItsName() {
        var ledger = StepLedger()
        ledger.pass(.resolve, detail: "ok")
        ledger.pass(.connect, detail: "ok")
        ledger.fail(.tls, detail: "expired")
        ledger.pass(.upgrade, detail: "must be ignored")
        ledger.fail(.ping, detail: "must be ignored too")
        let steps = ledger.steps
        #expect(steps.map(\.name) == StepName.allCases)
        let tls = steps.firstIndex { $0.name == .tls }!
        #expect(steps[tls].status == .failed)
        #expect(steps.filter { $0.status == .failed }.count == 1)
        for step in steps.dropFirst(tls + 1) {
            #expect(step.status == .skipped)
            #expect(step.detail == "not run: the tls step failed")
        }
    }

    @Test func notApplicableStepsKeepTheirReason() {
        var ledger = StepLedger()
        ledger.notApplicable(.tls, reason: "ws:// URL: no TLS")
        #expect(ledger.steps.first { $0.name == .tls } == ProbeStep(name: .tls, status: .skipped, detail: "ws:// URL: no TLS"))
        #expect(!ledger.hasFailed)
    }

    @Test func refusedConnectionFailsTheConnectStep() {
        var t = ConnectionTranscript(target: target(), resolvedAddresses: ["127.0.0.1:9"], timings: PhaseTimings(dnsMs: 0.1, tcpMs: 0.3))
        t.failure = ProbeFailure(stage: .tcp, kind: "connection-refused", detail: "ECONNREFUSED")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: false)
        #expect(ledger.outcome(of: .resolve)?.status == .passed)
        #expect(ledger.firstFailure?.name == .connect)
        #expect(ledger.firstFailure?.detail.contains("connection-refused") == true)
        #expect(ledger.steps.last?.status == .skipped)
    }

    @Test func dnsFailureFailsTheResolveStep() {
        var t = ConnectionTranscript(target: target())
        t.failure = ProbeFailure(stage: .dns, kind: "dns-failure", detail: "no such host")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: false)
        #expect(ledger.firstFailure?.name == .resolve)
    }

    @Test func tlsFailureNamesTheReason() {
        var t = ConnectionTranscript(target: target("wss"), resolvedAddresses: ["127.0.0.1:9"])
        t.tls = TLSObservation(failure: .expired, failureDetail: "leaf expired")
        t.failure = ProbeFailure(stage: .tls, kind: "tls-failure", detail: "certificate expired")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: false)
        #expect(ledger.firstFailure?.name == .tls)
        #expect(ledger.firstFailure?.detail.contains("expired") == true)
    }

    @Test func rejectedUpgradeKeepsStatusAndBody() {
        var t = ConnectionTranscript(target: target())
        t.handshake = HandshakeObservation(status: 403, reasonPhrase: "Forbidden", bodyPreview: "missing token")
        t.failure = ProbeFailure(stage: .upgrade, kind: "upgrade-rejected", detail: "HTTP 403")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: false)
        #expect(ledger.outcome(of: .tls)?.detail == "ws:// URL: no TLS")
        #expect(ledger.firstFailure?.name == .upgrade)
        #expect(ledger.firstFailure?.detail.contains("HTTP 403 Forbidden") == true)
        #expect(ledger.firstFailure?.detail.contains("missing token") == true)
    }

    @Test func subprotocolNotEchoedFailsTheSubprotocolStepNotTheUpgrade() {
        var t = ConnectionTranscript(target: target())
        t.request = HandshakeRequest(resource: "/ws", headers: [], offeredSubprotocols: ["jwt-auth", "jwt.<redacted>"])
        t.handshake = HandshakeObservation(status: 101, acceptValid: true, subprotocol: nil)
        t.findings = [Finding(.subprotocolNotEchoed, "none selected")]
        t.failure = ProbeFailure(stage: .upgrade, kind: "invalid-upgrade-response", detail: "subprotocol not echoed")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: false, expectedSubprotocol: "jwt-auth")
        #expect(ledger.outcome(of: .upgrade)?.status == .passed)
        #expect(ledger.firstFailure?.name == .subprotocol)
    }

    @Test func openConnectionWithTheExpectedSubprotocolPassesEveryHandshakeStep() {
        var t = ConnectionTranscript(target: target(), resolvedAddresses: ["127.0.0.1:9"])
        t.request = HandshakeRequest(resource: "/ws", headers: [], offeredSubprotocols: ["jwt-auth", "jwt.<redacted>"])
        t.handshake = HandshakeObservation(status: 101, acceptValid: true, subprotocol: "jwt-auth")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: true, expectedSubprotocol: "jwt-auth")
        #expect(!ledger.hasFailed)
        #expect([StepName.resolve, .connect, .upgrade, .subprotocol].allSatisfy { ledger.outcome(of: $0)?.status == .passed })
        #expect(ledger.outcome(of: .auth) == nil)
    }

    @Test func unexpectedSubprotocolIsAFailure() {
        var t = ConnectionTranscript(target: target())
        t.request = HandshakeRequest(resource: "/ws", headers: [], offeredSubprotocols: ["chat"])
        t.handshake = HandshakeObservation(status: 101, acceptValid: true, subprotocol: "superchat")
        var ledger = StepLedger()
        ledger.recordHandshake(t, isOpen: true)
        #expect(ledger.firstFailure?.name == .subprotocol)
        #expect(ledger.firstFailure?.detail.contains("never offered") == true)
    }
}
