import WebSocketDiagnosis

extension ApplicationProfile {
    /// Every built-in profile, in the order `ws1011 profiles` lists them.
    public static let builtIns: [ApplicationProfile] = [.plain, .echo, .lab, .netra, .socketIO]

    /// Other names for built-in profiles: `reference` is the lab's (its name before profiles were data).
    public static let aliases: [String: String] = ["reference": "lab"]

    /// The built-in profile called `name` (case-insensitive, aliases too), or `nil`.
    public static func builtIn(named name: String) -> ApplicationProfile? {
        let key = name.lowercased()
        let resolved = aliases[key] ?? key
        return builtIns.first { $0.name == resolved }
    }

    /// The names `--profile` accepts besides a file: the built-ins and their aliases.
    public static var builtInNames: [String] { builtIns.map(\.name) + aliases.keys.sorted() }

    /// The lab's profile under its earlier name.
    public static var reference: ApplicationProfile { lab }

    // MARK: - plain, echo

    /// Open, ping, close: nothing at the application level.
    public static let plain = ApplicationProfile(name: "plain", summary: "open, WebSocket ping/pong, close; no application messages")

    /// Send one text message and wait for any reply (an echo server).
    public static let echo: ApplicationProfile = {
        var p = ApplicationProfile(name: "echo", summary: "also send a text message and wait for its reply (an echo server)")
        p.auth = Auth(header: HeaderTemplate(name: "Authorization", value: "Bearer {token}"))
        p.conversation = [
            ConversationStep(name: "echo", send: .text("ws1011 echo probe {random}"), expect: Expectation(anyReply: true))
        ]
        return p
    }()

    // MARK: - lab

    /// The five critical events of an agent run, in order (the lab's and netra's).
    public static let agentEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    /// The embedded lab's contract (`ws1011 lab`): `jwt-auth` + `jwt.<base64url token>` subprotocols (the server
    /// echoes `jwt-auth`), `Authorization: Bearer`, `?token=`; JSON `{type, payload}`; the
    /// `connection_established` welcome; JSON `ping` → `pong`; `stream_request` → `partial_result` chunks →
    /// `stream_complete`; `start_agent` → the five critical events in order.
    public static let lab: ApplicationProfile = {
        var p = ApplicationProfile(
            name: "lab",
            summary:
                "the embedded lab's contract: jwt-auth subprotocol auth, {type, payload} JSON, welcome, JSON ping, streaming, an agent run with five events"
        )
        p.auth = Auth(
            subprotocols: ["jwt-auth", "jwt.{token:base64url}"], header: HeaderTemplate(name: "Authorization", value: "Bearer {token}"),
            queryParameter: "token", channel: .subprotocol, selects: .fixed("jwt-auth"))
        p.envelope = .json(typeKey: "type", payloadKey: "payload")
        p.welcome = Welcome(anyOf: [MessageMatch(type: "connection_established")])
        p.heartbeat = .message(send: "ping", expect: "pong", within: nil)
        p.conversation = [
            ConversationStep(
                name: "stream", send: .event(type: "stream_request", payloadJSON: #"{"content":"ws1011 stream probe"}"#),
                expect: Expectation(terminal: "stream_complete", chunks: "partial_result")),
            ConversationStep(
                name: "agent run", step: .agentEvents,
                send: .event(type: "start_agent", payloadJSON: #"{"agent_name":"ws1011-probe","message":"ws1011 diagnostic run"}"#),
                expect: Expectation(events: agentEvents, terminal: "agent_completed")),
        ]
        p.criticalEvents = agentEvents
        return p
    }()

    // MARK: - netra

    /// The application the test plan was written for, as its own code defines it: the same subprotocol auth,
    /// but the server selects the exact `jwt.<token>` entry; server messages `{type, data, timestamp, …}`
    /// (client messages keep `payload`); the welcome either `connection_established` or a `system_message` whose
    /// `data.event` is `connection_established`; `start_agent` (with `user_request`) → the five events, each with
    /// `run_id`, `user_id` and `agent_name` at the top level and the detail under `data`.
    public static let netra: ApplicationProfile = {
        var p = ApplicationProfile(
            name: "netra",
            summary:
                "the agent platform the test plan targets: jwt.<token> selected, {type, data, timestamp} messages, two welcome shapes, five agent events with run_id/user_id/agent_name"
        )
        p.auth = Auth(
            subprotocols: ["jwt-auth", "jwt.{token:base64url}"], header: HeaderTemplate(name: "Authorization", value: "Bearer {token}"),
            channel: .subprotocol, selects: .tokenEntry)
        p.envelope = .json(typeKey: "type", payloadKey: "payload")
        p.welcome = Welcome(anyOf: [
            MessageMatch(type: "connection_established"),
            MessageMatch(type: "system_message", fields: ["data.event": "connection_established"]),
        ])
        p.heartbeat = .message(send: "ping", expect: "pong", within: nil)
        p.conversation = [
            ConversationStep(
                name: "agent run", step: .agentEvents,
                send: .event(type: "start_agent", payloadJSON: #"{"user_request":"ws1011 diagnostic run","agent_name":"ws1011-probe"}"#),
                expect: Expectation(events: agentEvents, terminal: "agent_completed", fields: ["run_id", "user_id", "agent_name"]))
        ]
        p.criticalEvents = agentEvents
        return p
    }()

    // MARK: - socketio

    /// A Socket.IO v4 server over Engine.IO v4's websocket transport: `/socket.io/?EIO=4&transport=websocket`,
    /// the open packet, `40` CONNECT to the namespace `/`, the server's ping `2` answered with `3`, then
    /// `42["message", …]` answered by any event. A profile file sets the namespace, the event and the replies.
    public static let socketIO: ApplicationProfile = {
        var p = ApplicationProfile(
            name: "socketio",
            summary:
                "Socket.IO v4 over the websocket transport: open packet, 40 connect to /, ping 2 / pong 3, 42[\"message\", …] answered by any event"
        )
        p.connect = Connect(path: "/socket.io/", query: ["EIO=4", "transport=websocket"])
        p.auth = Auth(header: HeaderTemplate(name: "Authorization", value: "Bearer {token}"))
        p.envelope = .socketIO(namespace: "/", authJSON: nil)
        p.heartbeat = .engineIO(within: nil)
        p.conversation = [
            ConversationStep(
                name: "message", send: .event(type: "message", payloadJSON: #""ws1011 probe {random}""#),
                expect: Expectation(anyReply: true))
        ]
        return p
    }()
}
