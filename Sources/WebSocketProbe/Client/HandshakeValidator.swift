import Foundation
import WebSocketDiagnosis

/// Sans-I/O checks of an upgrade response against the request (RFC 6455 §4.1, client side): one finding per fault.
public struct HandshakeValidator: Sendable {
    /// The outcome of the checks.
    public struct Outcome: Sendable, Equatable {
        /// `true` when the connection may be used.
        public var accepted: Bool
        /// `Sec-WebSocket-Accept` matched the key; `nil` when absent or not a 101.
        public var acceptValid: Bool?
        /// The subprotocol the server selected.
        public var subprotocol: String?
        /// Extensions the server accepted (full values, with parameters).
        public var extensions: [String]
        /// `true` when permessage-deflate was negotiated.
        public var deflateNegotiated: Bool
        /// One finding per fault: code and detail.
        public var findings: [(code: FindingCode, detail: String)]
        /// The failure kind when not accepted: `upgrade-rejected` or `invalid-upgrade-response`.
        public var failureKind: ProbeFailureKind?
        /// One-line description of the failure.
        public var failureDetail: String?

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.accepted == b.accepted && a.acceptValid == b.acceptValid && a.subprotocol == b.subprotocol
                && a.extensions == b.extensions && a.findings.map(\.code) == b.findings.map(\.code)
                && a.failureKind == b.failureKind
        }
    }

    /// Checks `head` against the request that was sent.
    public static func check(_ head: ResponseHead, request: UpgradeRequest) -> Outcome {
        var out = Outcome(
            accepted: false, acceptValid: nil, subprotocol: nil, extensions: [], deflateNegotiated: false, findings: [], failureKind: nil,
            failureDetail: nil)
        let headers = head.headers
        out.subprotocol = headers.first(named: "Sec-WebSocket-Protocol")?.trimmingCharacters(in: .whitespaces)
        if out.subprotocol == "" { out.subprotocol = nil }
        out.extensions = headers.all(named: "Sec-WebSocket-Extensions")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard head.status == 101 else {
            out.findings.append((.unexpectedStatus, "status \(head.status) \(head.reasonPhrase) instead of 101 Switching Protocols"))
            out.failureKind = .upgradeRejected
            out.failureDetail = "the server answered the upgrade with HTTP \(head.status) \(head.reasonPhrase)"
            return out
        }
        if let accept = headers.first(named: "Sec-WebSocket-Accept") {
            let valid = accept.trimmingCharacters(in: .whitespaces) == UpgradeRequest.acceptValue(forKey: request.key)
            out.acceptValid = valid
            if !valid { out.findings.append((.badAcceptKey, "Sec-WebSocket-Accept '\(accept.prefix(64))' does not match the key sent")) }
        } else {
            out.findings.append((.missingAcceptKey, "the 101 response has no Sec-WebSocket-Accept header"))
        }
        let upgrade = headers.all(named: "Upgrade").flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if !upgrade.contains("websocket") {
            out.findings.append(
                (
                    .missingUpgradeHeader,
                    upgrade.isEmpty
                        ? "the 101 response has no Upgrade header" : "Upgrade is '\(upgrade.joined(separator: ", "))', not websocket"
                ))
        }
        let connection = headers.all(named: "Connection").flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if !connection.contains("upgrade") {
            out.findings.append(
                (
                    .missingConnectionHeader,
                    connection.isEmpty
                        ? "the 101 response has no Connection header"
                        : "Connection is '\(connection.joined(separator: ", "))', without Upgrade"
                ))
        }
        if let selected = out.subprotocol {
            if !request.offeredSubprotocols.contains(selected) {
                out.findings.append(
                    (
                        .unexpectedSubprotocol,
                        request.offeredSubprotocols.isEmpty
                            ? "the server selected subprotocol '\(selected)' although none was offered"
                            : "the server selected subprotocol '\(selected)', which was not offered"
                    ))
            }
        } else if !request.offeredSubprotocols.isEmpty {
            out.findings.append(
                (.subprotocolNotEchoed, "subprotocols were offered (\(request.offeredSubprotocols.count)) and the server selected none"))
        }
        let offeredNames = Set(
            request.offeredExtensions.compactMap {
                $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            })
        for ext in out.extensions {
            let name = ext.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ext
            if offeredNames.contains(name) {
                if name == "permessage-deflate" { out.deflateNegotiated = true }
            } else {
                out.findings.append((.unexpectedExtension, "the server accepted extension '\(name)', which was not offered"))
            }
        }
        if out.findings.isEmpty {
            out.accepted = true
        } else {
            out.failureKind = .invalidUpgradeResponse
            out.failureDetail = out.findings.map(\.detail).joined(separator: "; ")
        }
        return out
    }
}
