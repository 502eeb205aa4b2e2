import Foundation
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Helpers shared by the hostile-client tests.
enum HostileLab {
    /// A lab with fast agent runs and no server keepalive (nothing periodic in these tests).
    static func configuration() -> LabConfiguration {
        var configuration = LabConfiguration()
        configuration.heartbeat = nil
        configuration.agentStepDelay = .milliseconds(5)
        configuration.thinkingSteps = 2
        return configuration
    }

    /// The raw upgrade request of a well-formed client carrying `token` in the `jwt.` subprotocol.
    static func upgradeRequest(port: Int, path: String = "/ws", token: String?, extraHeaders: [String] = []) -> String {
        var lines = [
            "GET \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ]
        if let token { lines.append("Sec-WebSocket-Protocol: jwt-auth, jwt.\(token)") }
        return (lines + extraHeaders).joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// A raw client upgraded on the lab (101 received).
    static func upgradedRawClient(_ lab: LabServer) async throws -> RawSocketClient {
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let client = try await RawSocketClient.connect(port: lab.port)
        try await client.send(upgradeRequest(port: lab.port, token: token))
        let upgraded = await client.wait(.seconds(10)) { bytes, _ in
            String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 101") && RawSocketClient.headEnd(bytes) != nil
        }
        guard upgraded else { throw HostileLabError("no 101 from the lab: \(client.receivedText.prefix(200))") }
        return client
    }

    /// The ws1011 client configuration of a well-behaved user of `lab`. The bounds guard against a hang, so
    /// they are generous: under a flood on a busy machine a loopback handshake can take seconds.
    static func goodClient(_ lab: LabServer, token: String) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: lab.websocketURL))
        configuration.subprotocols = ["jwt-auth", "jwt.\(token)"]
        configuration.timeouts.connect = .seconds(10)
        configuration.timeouts.upgrade = .seconds(10)
        configuration.timeouts.message = .seconds(10)
        configuration.timeouts.close = .seconds(1)
        configuration.redactor = configuration.redactor.adding(secrets: [token])
        return configuration
    }

    /// Proves a well-behaved client is served: `connection_established`, then a full agent run's events.
    /// Returns the event types received, in order.
    static func wellBehavedSession(_ lab: LabServer) async throws -> [String] {
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let connection = await WebSocketConnection.connect(try goodClient(lab, token: token))
        guard await connection.isOpen else {
            let transcript = await connection.transcript()
            throw HostileLabError("the good client could not connect: \(transcript.failure?.detail ?? "no failure recorded")")
        }
        var types: [String] = []
        let deadline = ContinuousClock.now + .seconds(15)
        var asked = false
        while ContinuousClock.now < deadline {
            guard case .text(let text) = await connection.receive(timeout: .seconds(10)) else { break }
            let type = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["type"] as? String ?? "?"
            types.append(type)
            if type == "connection_established", !asked {
                asked = true
                await connection.send(text: #"{"type":"user_message","payload":{"content":"hello from the good client"}}"#)
            }
            if type == "agent_completed" { break }
        }
        await connection.close()
        return types
    }

    /// The soft limit on open descriptors of this process.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// A count from the environment (manual runs at scale), else `standard`.
    static func count(_ variable: String, default standard: Int) -> Int {
        ProcessInfo.processInfo.environment[variable].flatMap(Int.init).map { max(1, $0) } ?? standard
    }
}
