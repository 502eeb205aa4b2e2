import WebSocketAuth

/// What the backend decided about one upgrade request.
enum UpgradeDecision: Sendable {
    /// Accept: the user's claims and the subprotocol to echo (if any).
    case accept(LabClaims, subprotocol: String?)
    /// Refuse with an HTTP response before the upgrade.
    case refuse(HTTPRefusal)
}

extension LabState {
    /// Decides an upgrade request for `path`: faults, restart window, token, permission — in that order.
    ///
    /// Synchronous: the upgrader calls it on the connection's event loop, so a handshake never waits behind
    /// work queued on Swift's cooperative thread pool (on a busy 2-core machine that wait is seconds).
    func decideUpgrade(path: String, headers: [(name: String, value: String)], uri: String) -> UpgradeDecision {
        guard path == "/ws" else {
            return .refuse(.json(status: 404, ["error": "not_found", "message": "no WebSocket endpoint at \(path); use /ws"]))
        }
        let now = ContinuousClock.now
        if let refusal = activeFaults.upgradeRefusal(at: now) { return .refuse(refusal) }
        if isRestarting(at: now) {
            return .refuse(.json(status: 503, ["error": "service_restarting", "message": "Service restarting: retry shortly"]))
        }
        let credentials = UpgradeCredentials(headers: headers, uri: uri)
        guard let token = credentials.token else { return .refuse(Self.forbidden(.missingToken)) }
        switch backendVerifier().verify(token, expecting: .access) {
        case .failure(let rejection):
            return .refuse(Self.forbidden(rejection))
        case .success(let claims):
            guard claims.has(TestUser.websocketAccess) else {
                return .refuse(
                    Self.forbidden(
                        TokenRejection(
                            code: "permission-denied", message: "the token lacks the websocket_access permission")))
            }
            let echo = credentials.offersJWTAuth && echoesSubprotocol ? "jwt-auth" : nil
            return .accept(claims, subprotocol: echo)
        }
    }

    static func forbidden(_ rejection: TokenRejection) -> HTTPRefusal {
        .json(status: 403, ["error": .string(rejection.code), "message": .string(rejection.message)])
    }
}
