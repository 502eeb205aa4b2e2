/// A Socket.IO namespace refused the connection: after the Engine.IO open packet and our CONNECT (`40`),
/// the server answered CONNECT_ERROR (`44{"message": …}`), from a namespace middleware or auth handler, or
/// because the namespace does not exist (`Invalid namespace`).
struct SocketIONamespaceRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard context.expectations.envelope == "socketio", context.facts.opened else { return nil }
        guard
            let refusal = context.transcript.frames.first(where: {
                $0.direction == .inbound && $0.opcode == "text" && Self.isConnectError($0.preview ?? "")
            })
        else { return nil }
        let preview = refusal.preview ?? ""
        return Verdict(
            cause: .socketIONamespaceRefused, confidence: Confidence.characteristic,
            summary:
                "The Socket.IO namespace refused the connection (\(preview.prefix(120))): check the namespace name and what its connect handler or middleware requires (auth payload, token)",
            evidence: [
                Evidence(
                    rule: RuleName.socketIONamespace,
                    observation:
                        "Engine.IO opened; the CONNECT packet was answered at \(Int(refusal.atMs)) ms with CONNECT_ERROR '\(preview.prefix(200))'"
                )
            ])
    }

    /// Whether `text` is a Socket.IO CONNECT_ERROR packet inside an Engine.IO message: `44`, an optional
    /// `/namespace,`, then the error payload.
    static func isConnectError(_ text: String) -> Bool {
        guard text.hasPrefix("44") else { return false }
        let rest = text.dropFirst(2)
        return rest.isEmpty || rest.first == "{" || rest.first == "/" || rest.first == "\""
    }
}
