import Foundation

/// The scripted events of one agent run, in order: `agent_started`, `agent_thinking` × `thinkingSteps`
/// (step, total_steps, progress in percent, partial_result), `tool_executing`, `tool_completed`,
/// `agent_completed`. Pure: the connection handler sends them one per step delay.
struct AgentRun: Sendable {
    let runID: String
    let userID: String
    let agentName: String
    let prompt: String
    let thinkingSteps: Int

    /// The event types in order.
    var eventTypes: [String] {
        ["agent_started"] + Array(repeating: "agent_thinking", count: thinkingSteps)
            + ["tool_executing", "tool_completed", "agent_completed"]
    }

    /// The type and the event-specific payload fields of event `index` (0-based).
    func event(_ index: Int) -> (type: String, fields: [String: LabJSON]) {
        let tool = "search_knowledge_base"
        switch index {
        case 0:
            return ("agent_started", ["message": .string(prompt), "status": "started"])
        case 1...thinkingSteps:
            let progress = Int((Double(index) / Double(thinkingSteps) * 100).rounded())
            return (
                "agent_thinking",
                [
                    "step": .number(Double(index)), "total_steps": .number(Double(thinkingSteps)),
                    "progress": .number(Double(progress)),
                    "thought": .string("Step \(index) of \(thinkingSteps): analysing the request"),
                    "partial_result": .string("Partial answer after step \(index)"),
                ]
            )
        case thinkingSteps + 1:
            return ("tool_executing", ["tool_name": .string(tool), "tool_input": ["query": .string(prompt)]])
        case thinkingSteps + 2:
            return ("tool_completed", ["tool_name": .string(tool), "result": ["documents": 3, "status": "success"]])
        default:
            return (
                "agent_completed",
                [
                    "status": "completed",
                    "result": ["summary": .string("Completed analysis for: \(prompt)"), "steps": .number(Double(thinkingSteps))],
                ]
            )
        }
    }

    /// Number of events.
    var count: Int { thinkingSteps + 4 }
}
