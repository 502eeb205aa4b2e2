import Foundation
import WebSocketDiagnosis

extension StepLedger {
    /// Records the steps an opening handshake decides — resolve, connect, TLS, upgrade, subprotocol —
    /// from the transcript of a connection attempt.
    ///
    /// - Parameters:
    ///   - transcript: the attempt's transcript right after `connect` returned.
    ///   - isOpen: whether the connection is open.
    ///   - expectedSubprotocol: the subprotocol the plan requires the server to select (`jwt-auth`
    ///     for the reference profile); `nil` accepts any offered one.
    public mutating func recordHandshake(_ transcript: ConnectionTranscript, isOpen: Bool, expectedSubprotocol: String? = nil) {
        let failure = transcript.failure
        let timings = transcript.timings
        let codes = Set(transcript.findings.map(\.code))

        // Resolve
        if failure?.stage == .dns || (failure?.stage == .proxy && failure?.kind == .proxyDNSFailure) {
            fail(.resolve, durationMs: timings.dnsMs, detail: failure?.detail ?? "name resolution failed")
            return
        }
        let addresses = transcript.resolvedAddresses
        var resolved =
            addresses.isEmpty ? "\(transcript.target.host) needs no resolution" : "resolved to " + addresses.joined(separator: ", ")
        if let route = transcript.route { resolved = "routed by \(route): " + resolved }
        pass(.resolve, durationMs: timings.dnsMs, detail: resolved)

        // Connect
        if failure?.stage == .tcp || (failure?.stage == .proxy && failure?.kind == .proxyConnectFailure) {
            fail(.connect, durationMs: timings.tcpMs, detail: "\(failure?.kind ?? "tcp-failure"): \(failure?.detail ?? "")")
            return
        }
        pass(.connect, durationMs: timings.tcpMs, detail: "TCP connected to \(transcript.connectedAddress ?? transcript.target.host)")

        // Proxy
        if let proxy = transcript.proxy {
            let via = "CONNECT \(proxy.target) through \(proxy.proxy) (\(proxy.source))"
            if failure?.stage == .proxy {
                fail(.proxy, durationMs: proxy.durationMs, detail: "\(via): \(failure?.kind ?? "proxy-failure"): \(failure?.detail ?? "")")
                return
            }
            let answer = proxy.status.map { "HTTP \($0)" + (proxy.reason.map { " \($0)" } ?? "") } ?? "tunnel open"
            pass(.proxy, durationMs: proxy.durationMs, detail: "\(via): \(answer)")
        } else {
            notApplicable(.proxy, reason: "no proxy (none given, none in the environment for this host)")
        }

        // TLS
        if !transcript.target.isSecure {
            notApplicable(.tls, reason: "ws:// URL: no TLS")
        } else if failure?.stage == .tls {
            let tls = transcript.tls
            var detail = "TLS handshake failed"
            if let reason = tls?.failure { detail += " (\(reason.rawValue))" }
            if let more = tls?.failureDetail ?? failure?.detail { detail += ": \(more)" }
            fail(.tls, durationMs: timings.tlsMs, detail: detail)
            return
        } else if let tls = transcript.tls {
            let version = tls.protocolVersion.map { ", \($0)" } ?? ""
            let chain = ", server sent \(tls.chain.count) certificate(s)"
            pass(
                .tls, durationMs: timings.tlsMs,
                detail: (tls.verificationDisabled
                    ? "handshake done with certificate verification OFF (--insecure)" : "certificate chain verified")
                    + version + chain)
        } else {
            pass(.tls, durationMs: timings.tlsMs, detail: "TLS handshake done")
        }

        // Upgrade
        let handshake = transcript.handshake
        let subprotocolFault = codes.contains(.subprotocolNotEchoed) || codes.contains(.unexpectedSubprotocol)
        if !isOpen, !(subprotocolFault && handshake?.opensWebSocket == true) {
            fail(.upgrade, durationMs: timings.upgradeMs, detail: Self.upgradeFailureDetail(transcript))
            return
        }
        if let h2 = transcript.http2 {
            // RFC 8441 §5: a 2xx to the extended CONNECT opens the stream; there is no accept key.
            let settings = h2.settingsAtMs.map { ", SETTINGS at \(Int($0.rounded())) ms" } ?? ""
            pass(
                .upgrade, durationMs: timings.upgradeMs,
                detail: "extended CONNECT (:protocol websocket) answered \(handshake?.status ?? 200) over HTTP/2 (ALPN h2\(settings))")
        } else {
            pass(
                .upgrade, durationMs: timings.upgradeMs,
                detail:
                    "HTTP \(handshake?.status ?? 101) \(Self.oneLine(handshake?.reasonPhrase ?? "Switching Protocols")), accept key \(handshake?.acceptValid == false ? "INVALID" : "valid")"
            )
        }

        // Subprotocol
        let offered = transcript.request?.offeredSubprotocols ?? []
        let selected = handshake?.subprotocol
        if offered.isEmpty {
            notApplicable(.subprotocol, reason: "no subprotocol offered")
        } else if codes.contains(.subprotocolNotEchoed) || selected == nil {
            fail(
                .subprotocol,
                detail:
                    "offered \(offered.joined(separator: ", ")) but the server selected none (RFC 6455 §4.1: the client must fail the connection)"
            )
            return
        } else if codes.contains(.unexpectedSubprotocol) || !offered.contains(selected ?? "") {
            fail(
                .subprotocol,
                detail: "the server selected '\(selected ?? "")', which was never offered (offered \(offered.joined(separator: ", ")))")
            return
        } else if let expectedSubprotocol, selected != expectedSubprotocol {
            fail(.subprotocol, detail: "the server selected '\(selected ?? "")', the plan expects '\(expectedSubprotocol)'")
            return
        } else {
            pass(.subprotocol, detail: "server selected '\(selected ?? "")'")
        }

    }

    /// `text` on one line (CR/LF and tabs become spaces), at most `limit` characters.
    static func oneLine(_ text: String, limit: Int = 600) -> String {
        let flat = text.map { $0 == "\r\n" || $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 }
        return String(String(flat).prefix(limit))
    }

    /// Words for a failed upgrade: status, reason, a short body preview, the failure kind.
    static func upgradeFailureDetail(_ transcript: ConnectionTranscript) -> String {
        var parts: [String] = []
        if let h = transcript.handshake, let status = h.status {
            parts.append("HTTP \(status)\(h.reasonPhrase.map { " \($0)" } ?? "")")
            if let body = h.bodyPreview?.trimmingCharacters(in: .whitespacesAndNewlines), !body.isEmpty {
                parts.append("body: \(String(body.prefix(120)))")
            }
        }
        if let f = transcript.failure { parts.append("\(f.kind): \(f.detail)") }
        let findings = transcript.findings.filter { $0.code.rawValue.hasPrefix("handshake.") }.map { "\($0.code.rawValue): \($0.detail)" }
        parts.append(contentsOf: findings.prefix(3))
        return parts.isEmpty ? "the upgrade did not complete" : oneLine(parts.joined(separator: "; "))
    }
}
