/// docs/FAILURE_SIGNATURES.md rule 4, applied to a verdict reached on the front transcript alone: compare
/// with the same rules' verdict on the direct run.
///
/// - fails both ways the same → the application (or the backend host), more confidence;
/// - only through the front → infrastructure for what the front does itself (drops, strips, corrupts),
///   integration for an application close that happens only behind the front;
/// - direct unreachable or failing differently → the comparison says little: evidence only.
enum DirectComparison {
    static func refine(_ front: Verdict, direct: Verdict, context: ClassificationContext) -> Verdict {
        let directLine = Evidence(
            rule: RuleName.directVersusFront,
            observation: "direct run: \(direct.cause) — \(direct.evidence.first?.observation ?? direct.summary)")
        let sameCause = direct.cause == front.cause

        if direct.layer == .network || direct.layer == .tls {
            return front.adding([
                Evidence(
                    rule: RuleName.directVersusFront,
                    observation: "the direct run could not reach the backend (\(direct.cause)): no comparison")
            ])
        }
        switch front.layer {
        case .application:
            if sameCause { return front.adjustingConfidence(by: Confidence.Step.corroborated).adding([directLine, both]) }
            if direct.layer == .healthy { return frontOnlyApplicationFailure(front, context: context).adding([directLine]) }
            return front.adjustingConfidence(by: Confidence.Step.contradicted).adding([directLine])
        case .infrastructure:
            if direct.layer == .healthy {
                return front.adjustingConfidence(by: Confidence.Step.corroborated).adding([directLine, onlyFront])
            }
            if sameCause, [CauseID.idleTimeout, .lifetimeCap, .infrastructureConnectionDropped].contains(front.cause) {
                return Verdict(
                    cause: .applicationConnectionDropped, confidence: Confidence.suggestive,
                    summary:
                        "The backend itself ends the connection the same way direct (\(front.cause)): the front is not the cause; look at the app server's own timeouts and process lifetime",
                    evidence: front.evidence + [directLine, both])
            }
            return front.adding([directLine])
        case .inconclusive:
            // The probe's message or event step failed through the front with the connection up, and the same
            // plan passes direct: the front loses application messages (it answers pings, so it is alive).
            let lost = context.steps.first { $0.status == .failed && ($0.name == .messages || $0.name == .agentEvents) }
            if direct.layer == .healthy, let lost, context.transcript.failure == nil {
                return Verdict(
                    cause: .messagesDropped, confidence: Confidence.probable,
                    summary:
                        "Messages get no reply through the front but do direct: the front drops or holds application messages; check its message filtering, buffering and size limits",
                    evidence: front.evidence + [
                        Evidence(
                            rule: RuleName.probeSteps, observation: "step \(lost.name.rawValue) failed through the front: \(lost.detail)"),
                        directLine, onlyFront,
                    ])
            }
            return front.adding([directLine])
        default:
            return front.adding([directLine])
        }
    }

    private static let both = Evidence(
        rule: RuleName.directVersusFront, observation: "fails the same way direct and through the front: the backend itself")
    private static let onlyFront = Evidence(
        rule: RuleName.directVersusFront, observation: "the direct run is healthy: the failure happens only through the front")

    /// An application-looking failure that the direct run does not show.
    private static func frontOnlyApplicationFailure(_ front: Verdict, context: ClassificationContext) -> Verdict {
        let ev = front.evidence + [onlyFront]
        switch front.cause {
        case .authRejected where context.expectations.sentCredential:
            return Verdict(
                cause: .headerStripped, confidence: Confidence.likely,
                summary:
                    "The credential is rejected only through the front (direct accepts it): the front strips or changes the header carrying it; forward Authorization/Sec-WebSocket-Protocol, or send the token by a channel that survives",
                evidence: ev)
        case .subprotocolNotEchoed:
            return Verdict(
                cause: .headerStripped, confidence: Confidence.likely,
                summary:
                    "The subprotocol is echoed direct but not through the front: the front strips Sec-WebSocket-Protocol (request or response); forward it",
                evidence: ev)
        case .applicationConnectionDropped:
            return Verdict(
                cause: .infrastructureConnectionDropped, confidence: Confidence.likely,
                summary:
                    "The connection is dropped only through the front (direct survives the same message): check the front's limits (message size, body size, timeouts) and its log",
                evidence: ev)
        case .messageTooBig:
            return Verdict(
                cause: .frontMessageSizeLimit, confidence: Confidence.likely,
                summary:
                    "The message is refused as too big (close 1009) only through the front; the backend accepts it direct: a size quota in the front (AWS API Gateway allows 32 KB frames and 128 KB messages) — split the message or raise the front's limit",
                evidence: ev)
        case .missingEvents:
            return Verdict(
                cause: .messagesDropped, confidence: Confidence.probable,
                summary:
                    "Events arrive direct but not through the front: the front drops or buffers messages; check its buffering and message limits",
                evidence: ev)
        case .handshakeError where context.transcript.handshake?.status == nil || context.transcript.handshake?.opensWebSocket == true,
            .protocolError where context.facts.received == nil:
            return Verdict(
                cause: .frontProtocolViolation, confidence: Confidence.probable,
                summary:
                    "Through the front only, the handshake or frames break RFC 6455 (\(front.cause)): the front alters them; fix or bypass its WebSocket handling",
                evidence: ev)
        default:
            return Verdict(
                cause: .appFailureBehindFront, confidence: Confidence.likely,
                summary:
                    "The application fails (\(front.cause)) only through the front; direct works: compare what the front changes in the request — headers, subprotocol, path, message size",
                evidence: ev)
        }
    }
}
