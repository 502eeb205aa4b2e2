import WebSocketWire

/// The peer sent a close frame: something that speaks WebSocket chose to close (docs/FAILURE_SIGNATURES.md,
/// rule 1). The code names the kind of decision; the reason fingerprints the component (rule 7); the
/// timing against our last message, the connect, or the stalled pongs backs it (rule 3).
///
/// Normal closes (1000, or no status) are not failures and pass to later rules.
struct ReceivedCloseRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let f = context.facts
        guard f.opened, let r = f.received, let code = r.code, CloseCode(code) != .normalClosure else { return nil }
        let reason = r.reason
        let closeText = Describe.close(code: code, reason: reason)
        let order = context.transcript.close.order
        let who = order == .sentFirst ? "the peer answered our close with" : "received close frame"
        var evidence = [
            Evidence(
                rule: RuleName.closeFrame,
                observation:
                    "\(who) \(closeText) at \(Describe.ms(r.atMs))\(f.openAtMs.map { ", \(Describe.ms(r.atMs - $0)) after open" } ?? "")")
        ]
        // Our own close came first: the code is an echo, not the peer's decision.
        if order == .sentFirst, let s = f.sent, s.code == code { return nil }

        let afterMessage = timingAfterMessage(context, at: r.atMs)
        if let afterMessage { evidence.append(afterMessage) }
        func reasonEvidence(_ what: String) -> Evidence {
            Evidence(rule: RuleName.reasonFingerprint, observation: "the reason \"\(reason)\" fingerprints \(what)")
        }

        switch CloseCode(code) {
        case .internalError:
            if Fingerprints.isKeepaliveTimeout(reason: reason) {
                return keepalive(context, r: r, evidence: evidence + [reasonEvidence("a server keepalive giving up")])
            }
            if Fingerprints.isNotReady(reason: reason) {
                return Verdict(
                    cause: .notReady, confidence: Confidence.characteristic,
                    summary:
                        "The application is not ready yet (1011 \"\(reason)\"): wait for readiness before routing traffic, or retry with backoff",
                    evidence: evidence + [reasonEvidence("a readiness guard")])
            }
            if Fingerprints.isAuthFailure(reason: reason) {
                return Verdict(
                    cause: .authRejected, confidence: Confidence.probable,
                    summary:
                        "The application rejected the credential after connect (1011 \"\(reason)\" — should be 1008): check the token and the signing secret",
                    evidence: evidence + [reasonEvidence("an authentication failure")])
            }
            let where_ = afterMessage != nil ? "right after our message" : "after connect"
            return Verdict(
                cause: .internalErrorClose, confidence: afterMessage != nil ? Confidence.characteristic : Confidence.likely,
                summary:
                    "The application hit an error and closed with 1011 \(where_): find the exception in the backend log around \(Describe.ms(r.atMs))",
                evidence: evidence)
        case .policyViolation:
            return policyViolation(context, r: r, afterMessage: afterMessage, evidence: evidence)
        case .messageTooBig:
            let size = f.largestOutboundFrame.map { " the \($0.length)-byte message" } ?? " a message"
            if let big = f.largestOutboundFrame {
                evidence.append(
                    Evidence(
                        rule: RuleName.timingAfterMessage,
                        observation: "largest message we sent: \(big.length) bytes at \(Describe.ms(big.atMs))"))
            }
            return Verdict(
                cause: .messageTooBig, confidence: Confidence.confirmed,
                summary: "The application refused\(size) as too big (1009): raise its max message size or send smaller messages",
                evidence: evidence)
        case .protocolError, .invalidPayload:
            return protocolComplaint(context, r: r, afterMessage: afterMessage, evidence: evidence)
        case .unsupportedData:
            let offered = context.transcript.request?.offeredSubprotocols ?? []
            if !offered.isEmpty, context.transcript.handshake?.subprotocol == nil {
                return Verdict(
                    cause: .subprotocolNotEchoed, confidence: Confidence.probable,
                    summary: "The server supports none of the offered subprotocols (closed 1003): offer one it supports", evidence: evidence
                )
            }
            return Verdict(
                cause: .protocolError, confidence: Confidence.suggestive,
                summary: "The application does not accept the data type we sent (1003): send text or binary as it expects",
                evidence: evidence)
        case .serviceRestart:
            return Verdict(
                cause: .applicationRestart, confidence: Confidence.characteristic,
                summary: "The application restarted (1012): reconnect with backoff; drain connections gracefully on deploys",
                evidence: evidence)
        case .goingAway:
            if Fingerprints.isEdgeRestart(reason: reason) {
                return Verdict(
                    cause: .edgeRestart, confidence: Confidence.characteristic,
                    summary: "The edge proxy restarted (1001 \"\(reason)\"): reconnect with backoff; this is routine at the edge",
                    evidence: evidence + [reasonEvidence("an edge proxy restarting")])
            }
            return Verdict(
                cause: .applicationRestart, confidence: Confidence.probable,
                summary: "The server is going away (1001): it is shutting down or redeploying; reconnect with backoff", evidence: evidence)
        case .tryAgainLater:
            return Verdict(
                cause: .notReady, confidence: Confidence.plausible,
                summary: "The application is overloaded (1013 try again later): retry with backoff or add capacity", evidence: evidence)
        case let c where c.isApplicationDefined:
            return Verdict(
                cause: .applicationDefinedClose, confidence: Confidence.suggestive,
                summary: "The application closed with its own code \(closeText): look the code up in its documentation", evidence: evidence)
        default:
            if !CloseCode(code).isValidOnWire {
                return Verdict(
                    cause: .protocolError, confidence: Confidence.probable,
                    summary: "The peer sent close code \(code), which must never be on the wire: fix the server's close handling",
                    evidence: evidence)
            }
            return Verdict(
                cause: .inconclusive, confidence: Confidence.lead,
                summary: "The peer closed with \(closeText): not a known failure signature; read the server log", evidence: evidence)
        }
    }

    /// 1008: a policy decision. Auth when the reason says so or it comes at connect (many apps authenticate
    /// the first message); a policy violation when it comes right after one of our messages long after the
    /// open; the Origin check when the reason names it.
    private func policyViolation(_ context: ClassificationContext, r: CloseFrameInfo, afterMessage: Evidence?, evidence: [Evidence])
        -> Verdict
    {
        let reason = r.reason
        let quoted = reason.isEmpty ? "" : " \"\(reason)\""
        func fingerprint(_ what: String) -> Evidence {
            Evidence(rule: RuleName.reasonFingerprint, observation: "the reason \"\(reason)\" fingerprints \(what)")
        }
        if Fingerprints.isValidationErrorList(reason: reason) {
            return Verdict(
                cause: .validationError, confidence: Confidence.strong,
                summary: "The application rejected a message as invalid (1008 with a validation error list): fix the message shape",
                evidence: evidence + [fingerprint("a validation error list")])
        }
        if Fingerprints.namesOriginRefusal(reason) {
            return Verdict(
                cause: .originRejected, confidence: Confidence.strong,
                summary:
                    "The application refused the connection's Origin (1008\(quoted)); a token will not help: allow the origin in its Origin check, or send an allowed one",
                evidence: evidence + [fingerprint("an Origin check")])
        }
        if Fingerprints.isAuthFailure(reason: reason) {
            return Verdict(
                cause: .authRejected, confidence: Confidence.strong,
                summary: "The application rejected the credential (1008\(quoted)): check the token, its claims and its expiry",
                evidence: evidence + [fingerprint("an authentication failure")])
        }
        let age = r.atMs - (context.facts.openAtMs ?? r.atMs)
        let atConnect = age <= 2 * context.ms(\.afterMessageWindow)
        let when = Evidence(
            rule: RuleName.timingAfterMessage,
            observation: atConnect
                ? "the 1008 came \(Describe.ms(age)) after open: at connect"
                : "the 1008 came \(Describe.ms(age)) after open, long after connect")
        if afterMessage != nil, !atConnect {
            return Verdict(
                cause: .policyViolation, confidence: Confidence.probable,
                summary:
                    "The application refused our message by policy (1008\(quoted)) right after it, long after the open: check the message against its rules (size, rate, content, permissions)",
                evidence: evidence + [when])
        }
        return Verdict(
            cause: .authRejected, confidence: atConnect ? Confidence.probable : Confidence.even,
            summary:
                atConnect
                ? "The application rejected the connection by policy at connect (1008\(quoted)): check the credential, its claims and the origin"
                : "The application closed by policy (1008\(quoted)) long after the open with no message of ours before it: often an expired credential; check the token's expiry and the server log",
            evidence: evidence + [when])
    }

    /// 1002/1007: the peer says a frame broke the protocol. The probe's own frames are well formed (its
    /// encoder follows RFC 6455, and findings of the peer's own violations win earlier), so the reason and
    /// the timing say what broke: a reason naming a framing problem points at the path or the server's
    /// parser; right after our message with no such reason, an endpoint that threw (Tomcat closes with
    /// 1002 and the exception's message when an endpoint has no error handler).
    private func protocolComplaint(_ context: ClassificationContext, r: CloseFrameInfo, afterMessage: Evidence?, evidence: [Evidence])
        -> Verdict
    {
        let closeText = Describe.close(code: r.code, reason: r.reason)
        let ours = Evidence(
            rule: RuleName.peerProtocolViolation,
            observation:
                "our frames were well formed (masked, valid opcodes and lengths, UTF-8 text); the peer's frames broke nothing either")
        if Fingerprints.namesFramingProblem(r.reason) {
            return Verdict(
                cause: .protocolError, confidence: Confidence.suggestive,
                summary:
                    "The server says a frame broke RFC 6455 (\(closeText)) although the probe's frames are well formed: something on the path rewrites frames, or the server's parser is wrong",
                evidence: evidence + [ours], next: [.compareDirect()])
        }
        if afterMessage != nil {
            return Verdict(
                cause: .internalErrorClose, confidence: Confidence.plausible,
                summary:
                    "The server closed \(closeText) right after our well-formed message: its endpoint failed on it and reported a protocol error (Tomcat does so when an endpoint throws without @OnError); find the exception in the server log",
                evidence: evidence + [ours])
        }
        return Verdict(
            cause: .protocolError, confidence: Confidence.even,
            summary:
                "The server closed \(closeText) although the probe's frames are well formed: its reason and its log say what it objected to — a server error reported as a protocol error is common",
            evidence: evidence + [ours])
    }

    /// Evidence that the close came right after one of our application messages, with no answer in between.
    private func timingAfterMessage(_ context: ClassificationContext, at end: Double) -> Evidence? {
        guard let m = context.facts.lastMessage(before: end), end - m <= context.ms(\.afterMessageWindow),
            !context.facts.inboundData(after: m, until: end - 0.0001)
        else { return nil }
        return Evidence(
            rule: RuleName.timingAfterMessage,
            observation: "\(Describe.ms(end - m)) after our message at \(Describe.ms(m)), with no answer to it")
    }

    /// 1011 keepalive: timing against the moment pongs stopped (our last pong, or the first ping we left unanswered).
    private func keepalive(_ context: ClassificationContext, r: CloseFrameInfo, evidence: [Evidence]) -> Verdict {
        let f = context.facts
        var evidence = evidence
        let window = context.thresholds.keepaliveStallWindow
        let lo = window.lowerBound.milliseconds, hi = window.upperBound.milliseconds
        var confidence = Confidence.likely
        var summary =
            "The server's keepalive gave up (1011 \"\(r.reason)\"): its pings got no pong — keep the client's event loop free to answer pings, and make sure proxies forward pong frames"
        if let firstUnanswered = f.unansweredServerPingsAtMs.first {
            let stall = r.atMs - (f.lastOutboundPongAtMs ?? firstUnanswered)
            evidence.append(
                Evidence(
                    rule: RuleName.timingKeepalive,
                    observation:
                        "\(f.unansweredServerPingsAtMs.count) server pings went unanswered by us, the first at \(Describe.ms(firstUnanswered)); the close came \(Describe.ms(stall)) after pongs stopped"
                ))
            confidence = stall >= lo && stall <= hi ? Confidence.confirmed : Confidence.strong
            summary =
                "The server closed 1011 \"\(r.reason)\" \(Describe.seconds(stall)) after our pongs stopped: keep the client's event loop free to answer pings"
        } else if let lastPong = f.lastOutboundPongAtMs {
            let stall = r.atMs - lastPong
            evidence.append(
                Evidence(
                    rule: RuleName.timingKeepalive,
                    observation:
                        "we answered every server ping; our last pong left \(Describe.ms(stall)) before the close: the pongs were lost on the path or arrived too late"
                ))
            confidence = Confidence.suggestive
        } else if let open = f.openAtMs {
            let since = r.atMs - open
            evidence.append(
                Evidence(
                    rule: RuleName.timingKeepalive,
                    observation: "no server ping reached us; the close came \(Describe.ms(since)) after open"))
            confidence = since >= lo && since <= hi ? Confidence.likely : Confidence.plausible
        }
        return Verdict(cause: .applicationKeepaliveTimeout, confidence: confidence, summary: summary, evidence: evidence)
    }
}
