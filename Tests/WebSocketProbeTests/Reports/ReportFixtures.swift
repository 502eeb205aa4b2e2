import Foundation
import WebSocketDiagnosis

/// Hand-built reports for the renderer tests.
enum ReportFixtures {
    static let token = "s3cr3t-token-given-on-the-command-line"
    static let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3cy10ZXN0In0.c2lnbmF0dXJlLWJ5dGVz"

    static func transcript(secure: Bool = false, failedUpgrade: Bool = false, insecure: Bool = false) -> ConnectionTranscript {
        let scheme = secure ? "wss" : "ws"
        var t = ConnectionTranscript(
            target: TargetDescription(
                url: "\(scheme)://127.0.0.1:8443/ws?token=<redacted>", scheme: scheme, host: "127.0.0.1", port: 8443,
                resource: "/ws?token=<redacted>"),
            startedAt: Date(timeIntervalSince1970: 1_790_000_000),
            resolvedAddresses: ["127.0.0.1:8443"], connectedAddress: "127.0.0.1:8443",
            timings: PhaseTimings(dnsMs: 0.2, tcpMs: 1.1, tlsMs: secure ? 7.5 : nil, upgradeMs: 2.4, openAtMs: 11.2, firstFrameAtMs: 12.0))
        if secure {
            t.tls = TLSObservation(verified: !insecure, verificationDisabled: insecure, protocolVersion: "TLSv1.3")
        }
        if failedUpgrade {
            t.handshake = HandshakeObservation(status: 403, reasonPhrase: "Forbidden", bodyPreview: "no token <script>&\"'")
            t.failure = ProbeFailure(stage: .upgrade, kind: "upgrade-rejected", detail: "HTTP 403 Forbidden")
            t.close = CloseObservation(transportEnd: .eof, atMs: 14)
        } else {
            t.handshake = HandshakeObservation(status: 101, reasonPhrase: "Switching Protocols", acceptValid: true, subprotocol: "jwt-auth")
            t.frames = [
                FrameRecord(direction: .inbound, opcode: "text", length: 40, atMs: 12, preview: #"{"type":"connection_established"}"#)
            ]
            t.pings = [PingRecord(sentAtMs: 13, pongAtMs: 13.4)]
            t.close = CloseObservation(
                received: CloseFrameInfo(code: 1000, atMs: 40), sent: CloseFrameInfo(code: 1000, reason: "ws1011 probe done", atMs: 39),
                order: .sentFirst, transportEnd: .eof, atMs: 41)
        }
        return t
    }

    static func healthy(secure: Bool = false, insecure: Bool = false) -> DiagnosisReport {
        let steps = StepName.allCases.map { ProbeStep(name: $0, status: .passed, durationMs: 1.5, detail: "ok \($0.rawValue)") }
        return DiagnosisReport(
            target: "ws://127.0.0.1:8443/ws",
            verdict: Verdict(
                layer: .healthy, cause: "healthy", confidence: 0.9, summary: "Every layer passed.",
                evidence: [Evidence(rule: "all-steps-passed", observation: "11 steps passed")]),
            steps: steps, transcript: transcript(secure: secure, insecure: insecure))
    }

    /// A failed upgrade whose details carry characters that need escaping and a leaked secret.
    static func rejected() -> DiagnosisReport {
        var steps: [ProbeStep] = [
            ProbeStep(name: .resolve, status: .passed, durationMs: 0.2, detail: "resolved to 127.0.0.1:8443"),
            ProbeStep(name: .connect, status: .passed, durationMs: 1.1, detail: "TCP connected"),
            ProbeStep(name: .tls, status: .skipped, detail: "ws:// URL: no TLS"),
            ProbeStep(
                name: .upgrade, status: .failed, durationMs: 2.4,
                detail: "HTTP 403 Forbidden; body: <b>bad token</b> & \"quotes\" 'apos' \(token) \(jwt)\u{1}"),
        ]
        for name in StepName.allCases where !steps.contains(where: { $0.name == name }) {
            steps.append(ProbeStep(name: name, status: .skipped, detail: "not run: the upgrade step failed"))
        }
        return DiagnosisReport(
            target: "ws://127.0.0.1:8443/ws",
            verdict: Verdict(
                layer: .application, cause: "application.auth-rejected", confidence: 0.8,
                summary: "The backend refused the credential <\(token)>.",
                evidence: [Evidence(rule: "handshake-status", observation: "HTTP 403 with Authorization: Bearer \(token)")]),
            steps: steps, transcript: transcript(failedUpgrade: true),
            authChannels: [AuthChannelResult(channel: .header, path: .front, accepted: false, status: 403, detail: "refused \(token)")])
    }
}
