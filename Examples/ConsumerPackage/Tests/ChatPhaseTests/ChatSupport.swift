import EchoChat
import Foundation
import WebSocketDiagnosis
import WebSocketProbe

/// How these tests reach EchoChat: a token, a running server, a client configuration.
enum Chat {
    static let token = "echo-chat-test-token-1"

    /// Runs `body` against a fresh EchoChat on loopback, stopping it afterwards.
    static func withServer<T: Sendable>(_ body: (EchoChatServer) async throws -> T) async throws -> T {
        let server = try await EchoChatServer.start(token: token)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A client configuration for `url` carrying the token as EchoChat wants it, with short bounds.
    static func configuration(_ url: String) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: url))
        configuration.headers = [HeaderField("Authorization", "Bearer \(token)")]
        configuration.redactor = Redactor().adding(secrets: [token])
        configuration.timeouts.connect = .seconds(5)
        configuration.timeouts.upgrade = .seconds(5)
        configuration.timeouts.message = .seconds(5)
        configuration.timeouts.close = .seconds(2)
        return configuration
    }

    /// Our own reproduction cases, beside ws1011's built-in catalog.
    static let scenarios = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scenarios").path
}
