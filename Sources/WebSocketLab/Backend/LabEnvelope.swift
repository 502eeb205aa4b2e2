import Foundation

/// Builds the backend's outbound messages: `{"type", "payload": {…}, "timestamp"}`. Agent events also carry
/// `run_id`, `user_id`, `agent_name` and `timestamp` both at the top level and inside `payload`, so that
/// clients reading either place find them.
enum LabEnvelope {
    /// Seconds since 1970 with milliseconds, like Python's `time.time()`.
    static func now() -> LabJSON { .number((Date().timeIntervalSince1970 * 1000).rounded() / 1000) }

    /// A plain message.
    static func message(_ type: String, _ payload: [String: LabJSON]) -> LabJSON {
        ["type": .string(type), "payload": .object(payload), "timestamp": now()]
    }

    /// An `error_message` with a stable `code` and a sentence.
    static func error(code: String, message: String, extra: [String: LabJSON] = [:]) -> LabJSON {
        var payload = extra
        payload["code"] = .string(code)
        payload["message"] = .string(message)
        var out = Self.message("error_message", payload)
        if case .object(var o) = out {
            o["code"] = .string(code)
            out = .object(o)
        }
        return out
    }

    /// An agent event with its run, user and agent ids.
    static func agentEvent(_ type: String, run: AgentRun, fields: [String: LabJSON]) -> LabJSON {
        let stamp = now()
        var payload = fields
        payload["run_id"] = .string(run.runID)
        payload["user_id"] = .string(run.userID)
        payload["agent_name"] = .string(run.agentName)
        payload["timestamp"] = stamp
        return [
            "type": .string(type), "payload": .object(payload), "timestamp": stamp,
            "run_id": .string(run.runID), "user_id": .string(run.userID), "agent_name": .string(run.agentName),
        ]
    }
}
