import WebSocketDiagnosis
import WebSocketWire

extension ProbeRunner {
    /// Retries a refused upgrade once with the target's own origin, to test the server's Origin check.
    ///
    /// Runs when the main attempt's upgrade was answered 403, 400 or 404 — the statuses Origin checks answer
    /// with (gorilla/websocket, Django Channels, Tomcat's `checkOrigin`, python-engineio, Action Cable; see
    /// docs/FAILURE_SIGNATURES.md, "Handshake refusals") — and the run sent no `Origin` or another one
    /// than the target's own. The retry is the same upgrade (same credential, headers, subprotocols)
    /// with `Origin: https://host[:port]` for `wss`, `http://host[:port]` for `ws`. Whether it opened is
    /// evidence for the classifier: the Origin check refused the first, not the credential.
    /// - Returns: the retry's outcome, or `nil` when no retry applies.
    public func originCheck(front: Attempt, token: String?, redactor: Redactor) async -> OriginCheck? {
        guard let status = front.transcript.handshake?.status, status == 403 || status == 400 || status == 404 else { return nil }
        let own = Self.ownOrigin(of: plan.target)
        let sent = plan.headers.first(named: "Origin") ?? plan.origin
        if let sent, sent.lowercased() == own.lowercased() { return nil }
        stop.enter("origin-check")
        var configuration = clientConfiguration(url: plan.target, channel: mainChannel(token: token), token: token, redactor: redactor)
        configuration.headers.removeAll { $0.name.lowercased() == "origin" }
        configuration.headers.append(HeaderField("Origin", own))
        let connection = await open(configuration)
        let opened = await connection.isOpen
        let answer = await connection.transcript().handshake?.status
        if opened { await connection.close(code: CloseCode.normalClosure.rawValue, reason: "ws1011 origin check done") }
        if stop.isStopped { return nil }
        return OriginCheck(origin: own, opened: opened, status: answer)
    }

    /// The origin a page served by `url`'s own host would send: `https://host[:port]` for `wss`,
    /// `http://host[:port]` for `ws` (the port only when it is not the scheme's default).
    public static func ownOrigin(of url: WebSocketURL) -> String {
        (url.isSecure ? "https://" : "http://") + url.authority
    }
}
