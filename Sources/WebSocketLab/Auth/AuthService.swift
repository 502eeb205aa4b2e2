import Foundation
import WebSocketAuth

/// The lab's auth service: `POST /auth/token`, `/auth/refresh`, `/auth/validate`. Transport-free: it takes a
/// method, a path, headers and a body, and returns a status and a JSON body.
public struct AuthService: Sendable {
    /// A reply: status and JSON body.
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var body: LabJSON
        public init(status: Int, body: LabJSON) {
            self.status = status
            self.body = body
        }
    }

    let configuration: LabConfiguration
    let verifier: TokenVerifier

    /// Builds the service for `configuration` (its secret, issuer, audience, users, lifetimes).
    public init(configuration: LabConfiguration) async {
        self.configuration = configuration
        self.verifier = TokenVerifier(
            secret: configuration.jwtSecret, issuer: configuration.issuer, audience: configuration.audience)
    }

    /// Whether `path` is one of this service's routes.
    public static func handles(path: String) -> Bool { path.hasPrefix("/auth/") }

    /// Answers one request. `authorization` is the `Authorization` header value, if any. Synchronous: the lab
    /// answers on its event loop, without waiting for the cooperative pool.
    public func handle(method: String, path: String, authorization: String?, body: [UInt8]) -> Reply {
        guard ["/auth/token", "/auth/refresh", "/auth/validate"].contains(path) else {
            return Reply(
                status: 404, body: ["error": "not_found", "message": "no route \(path); use /auth/token, /auth/refresh or /auth/validate"])
        }
        guard method == "POST" else {
            return Reply(status: 405, body: ["error": "method_not_allowed", "message": "\(path) takes POST with a JSON body"])
        }
        let json: LabJSON
        if body.isEmpty {
            json = [:]
        } else if let parsed = LabJSON.parse(String(decoding: body, as: UTF8.self)), case .object = parsed {
            json = parsed
        } else {
            return Reply(status: 400, body: ["error": "invalid_json", "message": "the body must be a JSON object"])
        }
        switch path {
        case "/auth/token": return token(json)
        case "/auth/refresh": return refresh(json)
        default: return validate(json, authorization: authorization)
        }
    }

    // MARK: - Routes

    private func token(_ json: LabJSON) -> Reply {
        guard let email = json["email"]?.stringValue, !email.isEmpty else {
            return Reply(status: 400, body: ["error": "missing_email", "message": "send {\"email\": \"<test user>\"}"])
        }
        guard let user = configuration.users.first(where: { $0.email.lowercased() == email.lowercased() }) else {
            return Reply(
                status: 401,
                body: [
                    "error": "unknown_user",
                    "message": "no test user '\(email)'; known: \(configuration.users.map(\.email).joined(separator: ", "))",
                ])
        }
        return tokens(for: user.email, userID: user.userID, permissions: user.permissions)
    }

    private func refresh(_ json: LabJSON) -> Reply {
        guard let token = json["refresh_token"]?.stringValue else {
            return Reply(status: 400, body: ["error": "missing_refresh_token", "message": "send {\"refresh_token\": \"…\"}"])
        }
        switch verifier.verify(token, expecting: .refresh) {
        case .failure(let rejection):
            return Reply(status: 401, body: ["error": .string(rejection.code), "message": .string(rejection.message)])
        case .success(let claims):
            return tokens(for: claims.email, userID: claims.sub, permissions: claims.permissions)
        }
    }

    private func validate(_ json: LabJSON, authorization: String?) -> Reply {
        var token = json["token"]?.stringValue ?? json["access_token"]?.stringValue
        if token == nil, let authorization, authorization.lowercased().hasPrefix("bearer ") {
            token = String(authorization.dropFirst(7))
        }
        guard let token else {
            return Reply(
                status: 400,
                body: ["valid": false, "error": "missing_token", "message": "send {\"token\": \"…\"} or Authorization: Bearer"])
        }
        switch verifier.verify(token, expecting: .access) {
        case .failure(let rejection):
            return Reply(status: 401, body: ["valid": false, "error": .string(rejection.code), "message": .string(rejection.message)])
        case .success(let claims):
            return Reply(
                status: 200,
                body: [
                    "valid": true, "user_id": .string(claims.sub), "email": .string(claims.email),
                    "permissions": .array(claims.permissions.map { .string($0) }), "exp": .number(Double(claims.exp)),
                ])
        }
    }

    private func tokens(for email: String, userID: String, permissions: [String]) -> Reply {
        do {
            let access = try mint(
                email: email, userID: userID, permissions: permissions, type: .access,
                expiresIn: configuration.accessTokenLifetime)
            let refresh = try mint(
                email: email, userID: userID, permissions: permissions, type: .refresh,
                expiresIn: configuration.refreshTokenLifetime)
            return Reply(
                status: 200,
                body: [
                    "access_token": .string(access), "refresh_token": .string(refresh), "token_type": "bearer",
                    "expires_in": .number(Double(configuration.accessTokenLifetime.components.seconds)),
                ])
        } catch {
            return Reply(status: 500, body: ["error": "signing_failed", "message": "could not sign the token"])
        }
    }

    /// Mints a token with this service's secret, issuer and audience.
    func mint(email: String, userID: String, permissions: [String], type: LabTokenType, expiresIn: Duration) throws -> String {
        try TokenMinter.mint(
            secret: configuration.jwtSecret, user: email, userID: userID, permissions: permissions,
            issuer: configuration.issuer, audience: configuration.audience, type: type, expiresIn: expiresIn)
    }
}
