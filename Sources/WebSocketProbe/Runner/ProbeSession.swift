import Foundation
import WebSocketDiagnosis

/// One open connection driven by the runner: receives JSON messages, remembers the application
/// events that arrived, and waits for a given message type within a bound.
///
/// Used by one task at a time; not shared.
final class ProbeSession {
    let connection: WebSocketConnection
    let clock: ProbeClock
    /// Application event types received, in order of arrival.
    private(set) var receivedEvents: [String] = []
    /// Every error message the peer sent (`error`, `error_message`), in order.
    private(set) var errorMessages: [String] = []

    init(connection: WebSocketConnection, clock: ProbeClock) {
        self.connection = connection
        self.clock = clock
    }

    /// How a wait ended.
    enum WaitOutcome {
        /// The wanted message arrived.
        case matched(type: String?, text: String)
        /// Nothing matching within the bound (the connection is still open).
        case timedOut
        /// The connection ended.
        case closed(CloseObservation)
        /// The peer answered with an application error instead.
        case applicationError(String)
    }

    /// Receives messages until one satisfies `wanted` (by its JSON `type`, or any message when
    /// `wanted` is `nil`), the bound passes, the connection ends, or the peer sends an error message.
    func waitFor(_ wanted: Set<String>?, within bound: Duration, onMessage: (String?) -> Void = { _ in }) async -> WaitOutcome {
        let deadline = clock.now() + bound
        while true {
            let remaining = deadline - clock.now()
            if remaining <= .zero { return .timedOut }
            switch await connection.receive(timeout: remaining) {
            case .timeout:
                return .timedOut
            case .closed(let observation):
                return .closed(observation)
            case .binary(let bytes):
                if wanted == nil { return .matched(type: nil, text: "<\(bytes.count) bytes binary>") }
            case .text(let text):
                let type = Self.messageType(text)
                if let type { receivedEvents.append(type) }
                onMessage(type)
                if wanted == nil { return .matched(type: type, text: text) }
                if let type, wanted?.contains(type) == true { return .matched(type: type, text: text) }
                if let type, type == "error" || type == "error_message" {
                    // Scrubbed whole, before any caller cuts it for a step detail: a secret cut in half
                    // would no longer be recognised.
                    let scrubbed = connection.configuration.redactor.text(text)
                    errorMessages.append(scrubbed)
                    return .applicationError(scrubbed)
                }
            }
        }
    }

    /// The `type` field of a JSON object message, when it has one.
    static func messageType(_ text: String) -> String? {
        guard text.first == "{", let data = text.data(using: .utf8),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        return object["type"] as? String
    }

    /// A JSON text message `{"type": type, "payload": payload}`.
    static func jsonMessage(type: String, payloadJSON: String = "{}") -> String {
        let payload = payloadJSON.trimmingCharacters(in: .whitespacesAndNewlines)
        return #"{"type":"\#(type)","payload":\#(payload.isEmpty ? "{}" : payload)}"#
    }
}
