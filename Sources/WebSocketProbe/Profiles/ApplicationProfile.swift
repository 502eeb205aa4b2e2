import WebSocketDiagnosis

/// One application's WebSocket contract, as data: how it takes a credential, how it frames messages,
/// what it sends first, its application heartbeat, the conversation the probe holds with it and the events
/// that must not go missing.
///
/// Built in: ``plain``, ``echo``, ``lab`` (alias `reference`), ``netra``, ``socketio``
/// (``ApplicationProfile/builtIns``); any other application is described by a profile file
/// (``ProfileLoader``, `ws1011 profiles init`). Pure configuration: no I/O.
public struct ApplicationProfile: Sendable, Equatable, CustomStringConvertible {
    /// The profile's name (`lab`, or a file's `name`).
    public var name: String
    /// One line on what the profile is for (`ws1011 profiles`).
    public var summary: String
    /// Where the WebSocket lives when the URL does not say (a path, query items).
    public var connect: Connect = .init()
    /// How the application takes a credential, and which subprotocol it selects.
    public var auth: Auth = .init()
    /// How application messages are framed.
    public var envelope: Envelope = .raw
    /// What the server sends first, if anything.
    public var welcome: Welcome? = nil
    /// The application-level heartbeat, if any (beside WebSocket ping/pong).
    public var heartbeat: Heartbeat? = nil
    /// The steps of the reference run, in order.
    public var conversation: [ConversationStep] = []
    /// The events whose absence is `application.missing-events`.
    public var criticalEvents: [String] = []
    /// Message types that are the application's own error answers (default `error`, `error_message`).
    public var errorTypes: [String] = ["error", "error_message"]

    /// A profile named `name` that does nothing after the upgrade; set the rest field by field.
    public init(name: String, summary: String) {
        self.name = name
        self.summary = summary
    }

    // MARK: - Connect

    /// Where the WebSocket endpoint lives, for URLs that give only a host.
    public struct Connect: Sendable, Equatable {
        /// The path used when the URL's path is empty or `/` (Socket.IO: `/socket.io/`); `nil` keeps the URL's.
        public var path: String? = nil
        /// Query items added when the URL lacks them (`EIO=4`, `transport=websocket`), in order.
        public var query: [String] = []
        /// Subprotocols always offered, credential or not (`graphql-transport-ws`), after the auth entries.
        public var subprotocols: [String] = []
        public init(path: String? = nil, query: [String] = [], subprotocols: [String] = []) {
            self.path = path
            self.query = query
            self.subprotocols = subprotocols
        }

        /// `url` at ``path`` (when the URL gives none) with ``query`` items added (when missing).
        public func target(for url: WebSocketURL) -> WebSocketURL {
            guard path != nil || !query.isEmpty else { return url }
            var resource = url.resource
            var existing = ""
            if let mark = resource.firstIndex(of: "?") {
                existing = String(resource[resource.index(after: mark)...])
                resource = String(resource[..<mark])
            }
            if let path, resource.isEmpty || resource == "/" { resource = path }
            var items = existing.isEmpty ? [] : existing.split(separator: "&").map(String.init)
            for item in query {
                let name = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? item
                if !items.contains(where: { $0 == name || $0.hasPrefix(name + "=") }) { items.append(item) }
            }
            return url.replacing(resource: resource + (items.isEmpty ? "" : "?" + items.joined(separator: "&")))
        }
    }

    // MARK: - Auth

    /// The channels the application takes a credential by, each in its exact shape, as templates:
    /// `{token}` is the token as given, `{token:base64url}` the token in base64url without padding.
    public struct Auth: Sendable, Equatable {
        /// `Sec-WebSocket-Protocol` entries offered with a credential, in order (`jwt-auth`, `jwt.{token:base64url}`).
        public var subprotocols: [String] = []
        /// A header carrying the credential (`Authorization: Bearer {token}`); `nil` when the app takes none.
        public var header: HeaderTemplate? = nil
        /// The query parameter carrying the credential (`token`, `ticket`, `access_token`); `nil` when none.
        public var queryParameter: String? = nil
        /// The channel the main attempt carries the credential by (default: the subprotocol when entries
        /// are given, else the header).
        public var channel: AuthChannel? = nil
        /// Which subprotocol the server is expected to select (default ``Selection/any``).
        public var selects: Selection = .any

        public init(
            subprotocols: [String] = [], header: HeaderTemplate? = nil, queryParameter: String? = nil, channel: AuthChannel? = nil,
            selects: Selection = .any
        ) {
            self.subprotocols = subprotocols
            self.header = header
            self.queryParameter = queryParameter
            self.channel = channel
            self.selects = selects
        }

        /// The channel the main attempt uses: ``channel``, or the subprotocol when entries are given, else the header.
        public var mainChannel: AuthChannel {
            if let channel { return channel }
            if !subprotocols.isEmpty { return .subprotocol }
            if header != nil { return .header }
            if queryParameter != nil { return .query }
            return .header
        }

        /// The channels this profile can carry a credential by, in the order the auth-channel matrix tries them
        /// (never the query: fronts log URLs; name it with `--auth-channels` to try it).
        public var matrixChannels: [AuthChannel] {
            var channels: [AuthChannel] = []
            if !subprotocols.isEmpty { channels.append(.subprotocol) }
            if header != nil || channels.isEmpty { channels.append(.header) }
            return channels
        }
    }

    /// A header as a template: `Authorization` with `Bearer {token}`.
    public struct HeaderTemplate: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Which subprotocol a server is expected to select.
    public enum Selection: Sendable, Equatable, CustomStringConvertible {
        /// None: the server answers without `Sec-WebSocket-Protocol` (the probe then tolerates that).
        case none
        /// Exactly this one (`jwt-auth`).
        case fixed(String)
        /// The entry that carries the token, as sent (`jwt.<token>`).
        case tokenEntry
        /// Any offered one.
        case any

        /// As written in a profile file: `none`, `any`, `token-entry`, `fixed:NAME`.
        public var description: String {
            switch self {
            case .none: "none"
            case .fixed(let name): "fixed:\(name)"
            case .tokenEntry: "token-entry"
            case .any: "any"
            }
        }
    }

    // MARK: - Envelope

    /// How application messages are framed in text frames.
    public enum Envelope: Sendable, Equatable {
        /// JSON objects; the event name under `typeKey`, what we send under `payloadKey`
        /// (the server may put its data under another key: field checks use paths).
        case json(typeKey: String, payloadKey: String)
        /// Socket.IO v4 over Engine.IO v4's websocket transport: the open packet `0{…}`, `40` CONNECT to
        /// `namespace` (with `authJSON`, a JSON object template, when given), events `42[name, data]`, the
        /// server's ping `2` answered with `3`.
        case socketIO(namespace: String, authJSON: String?)
        /// Any text or binary; no event names.
        case raw

        /// `json`, `socketio` or `raw`.
        public var kind: String {
            switch self {
            case .json: "json"
            case .socketIO: "socketio"
            case .raw: "raw"
            }
        }
    }

    // MARK: - Welcome

    /// What the server sends first: one of several accepted shapes, within a bound.
    public struct Welcome: Sendable, Equatable {
        /// The accepted shapes (one must arrive).
        public var anyOf: [MessageMatch]
        /// The bound (default: the plan's message bound).
        public var within: Duration? = nil
        public init(anyOf: [MessageMatch], within: Duration? = nil) {
            self.anyOf = anyOf
            self.within = within
        }
    }

    /// A message shape: its event name and fields that must hold (dotted paths from the message's root,
    /// `data.event`; the value `*` only requires presence).
    public struct MessageMatch: Sendable, Equatable, CustomStringConvertible {
        public var type: String
        public var fields: [String: String] = [:]
        public init(type: String, fields: [String: String] = [:]) {
            self.type = type
            self.fields = fields
        }
        /// `system_message with data.event == connection_established`.
        public var description: String {
            fields.isEmpty
                ? type : "\(type) with " + fields.sorted { $0.key < $1.key }.map { "\($0.key) == \($0.value)" }.joined(separator: ", ")
        }
    }

    // MARK: - Heartbeat

    /// The application-level heartbeat.
    public enum Heartbeat: Sendable, Equatable {
        /// We send a message of type `send`, the server answers `expect` within `within` (default the message bound).
        case message(send: String, expect: String, within: Duration?)
        /// Engine.IO: the server pings (`2`) every announced `pingInterval` and expects `3` within `pingTimeout`;
        /// the probe answers every ping and, when the interval is at most `within`, waits for one.
        case engineIO(within: Duration?)
    }

    // MARK: - Conversation

    /// One exchange of the reference run: send a message, expect events.
    public struct ConversationStep: Sendable, Equatable {
        /// A short name for details and errors (`stream`, `agent run`).
        public var name: String
        /// The probe step it reports under: ``StepName/messages`` or ``StepName/agentEvents``.
        public var step: StepName = .messages
        /// What to send.
        public var send: Outgoing
        /// What must come back.
        public var expect: Expectation
        /// The bound of the whole exchange (default: the message bound × the number of events, at least one).
        public var within: Duration? = nil

        public init(name: String, step: StepName = .messages, send: Outgoing, expect: Expectation, within: Duration? = nil) {
            self.name = name
            self.step = step
            self.send = send
            self.expect = expect
            self.within = within
        }
    }

    /// A message to send: an event with a payload (JSON object text, a template), or raw text (a template).
    /// Templates: `{token}`, `{token:base64url}`, `{random}`.
    public enum Outgoing: Sendable, Equatable {
        case event(type: String, payloadJSON: String)
        case text(String)
    }

    /// What an exchange expects back.
    public struct Expectation: Sendable, Equatable {
        /// Event names that must arrive.
        public var events: [String] = []
        /// Whether ``events`` must arrive in that order (default `true`) or as a set.
        public var ordered: Bool = true
        /// Whether an event may arrive more than once (default `true`: `agent_thinking` streams).
        public var repeats: Bool = true
        /// The event that ends the exchange (default the last of ``events``).
        public var terminal: String? = nil
        /// A streaming chunk event: at least one must arrive before the terminal (`partial_result`).
        public var chunks: String? = nil
        /// Fields every expected event must carry (dotted paths: `run_id`, `data.tool_name`).
        public var fields: [String] = []
        /// Any reply at all ends the exchange (an echo server).
        public var anyReply: Bool = false

        public init(
            events: [String] = [], ordered: Bool = true, repeats: Bool = true, terminal: String? = nil, chunks: String? = nil,
            fields: [String] = [], anyReply: Bool = false
        ) {
            self.events = events
            self.ordered = ordered
            self.repeats = repeats
            self.terminal = terminal
            self.chunks = chunks
            self.fields = fields
            self.anyReply = anyReply
        }

        /// The event that ends the wait.
        public var endingEvent: String? { terminal ?? events.last }
    }

    // MARK: - Derived

    /// The profile's name (what tests and messages print).
    public var description: String { name }

    /// Whether the probe speaks an application protocol after the upgrade (a welcome, a heartbeat or a conversation).
    public var speaksApplication: Bool { welcome != nil || heartbeat != nil || !conversation.isEmpty || envelope.kind == "socketio" }
}
