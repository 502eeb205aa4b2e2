import Foundation
import WebSocketDiagnosis

/// Reads application profiles: a built-in name (`lab`, `netra`, `socketio`, …) or a JSON profile file.
///
/// Never crashes on a malformed file: every problem is a ``ProfileLoadError`` naming the file, the field and
/// the fix. Unknown fields are refused (a typo must not be silently ignored). The format is described in
/// the README ("Your application's contract") and by `ws1011 profiles init`.
public enum ProfileLoader {
    /// The `format` a profile file declares.
    public static let format = "ws1011.profile/1"
    /// The largest profile file read (a profile is a few kilobytes).
    public static let maximumBytes = 256 << 10
    /// The longest bound a profile may give (`within`).
    public static let longestBound: Duration = .seconds(600)

    /// The built-in profile named `nameOrPath`, or else the profile file at that path.
    public static func resolve(_ nameOrPath: String) throws(ProfileLoadError) -> ApplicationProfile {
        if let builtIn = ApplicationProfile.builtIn(named: nameOrPath) { return builtIn }
        let looksLikeFile = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") || FileManager.default.fileExists(atPath: nameOrPath)
        guard looksLikeFile else {
            throw ProfileLoadError(
                path: nameOrPath,
                message:
                    "no built-in profile has this name and no such file exists: use one of \(ApplicationProfile.builtInNames.joined(separator: ", ")), or the path of a profile file (ws1011 profiles init > my-app.json)"
            )
        }
        return try load(path: nameOrPath)
    }

    /// Loads the profile file at `path`.
    public static func load(path: String) throws(ProfileLoadError) -> ApplicationProfile {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maximumBytes {
                throw ProfileLoadError(
                    path: path, message: "the file has \(size) bytes; a profile is at most \(maximumBytes): check the path")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as ProfileLoadError {
            throw error
        } catch {
            throw ProfileLoadError(
                path: path, message: "cannot read the file (\(error.localizedDescription)); check the path and its permissions")
        }
        return try decode(data, path: path)
    }

    /// Decodes and validates one profile file's bytes (`path` only names it in errors).
    public static func decode(_ data: Data, path: String) throws(ProfileLoadError) -> ApplicationProfile {
        guard data.count <= maximumBytes else {
            throw ProfileLoadError(path: path, message: "the file has \(data.count) bytes; a profile is at most \(maximumBytes)")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ProfileLoadError(
                path: path, message: "not valid JSON (\(error.localizedDescription)); fix the syntax (a missing comma or quote)")
        }
        guard let root = json as? [String: Any] else {
            throw ProfileLoadError(
                path: path, message: "the top level must be a JSON object with format, name and the contract (see ws1011 profiles init)")
        }
        return try ProfileReader(path: path).profile(root)
    }
}

/// Walks a profile file's JSON with the path of every field, for errors that name it.
struct ProfileReader {
    let path: String

    func fail(_ field: String, _ message: String) -> ProfileLoadError { ProfileLoadError(path: path, field: field, message: message) }

    // MARK: - Primitives

    func object(_ value: Any?, _ field: String, keys: [String]) throws(ProfileLoadError) -> [String: Any] {
        guard let dict = value as? [String: Any] else { throw fail(field, "must be a JSON object with \(keys.joined(separator: ", "))") }
        for key in dict.keys.sorted() where !keys.contains(key) {
            let hint = DidYouMean.hint(for: key, among: keys)
            throw fail(
                field.isEmpty ? key : "\(field).\(key)",
                "unknown field\(hint.isEmpty ? "." : hint) Valid fields here: \(keys.joined(separator: ", "))")
        }
        return dict
    }

    func string(_ value: Any?, _ field: String, example: String, allowEmpty: Bool = false) throws(ProfileLoadError) -> String {
        guard let text = value as? String else { throw fail(field, "must be a string, e.g. \(example)") }
        if !allowEmpty && text.trimmingCharacters(in: .whitespaces).isEmpty { throw fail(field, "must not be empty, e.g. \(example)") }
        guard text.count <= 4096 else { throw fail(field, "is longer than 4096 characters: shorten it") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
            throw fail(field, "contains a control character (a line break?): write it on one line")
        }
        return text
    }

    func optionalString(_ value: Any?, _ field: String, example: String) throws(ProfileLoadError) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        return try string(value, field, example: example)
    }

    func strings(_ value: Any?, _ field: String, example: String) throws(ProfileLoadError) -> [String] {
        guard let value, !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw fail(field, "must be a list of strings, e.g. [\(example)]") }
        guard list.count <= 64 else { throw fail(field, "has \(list.count) entries; at most 64") }
        var out: [String] = []
        for (i, item) in list.enumerated() { out.append(try string(item, "\(field)[\(i)]", example: example)) }
        return out
    }

    func bool(_ value: Any?, _ field: String, default fallback: Bool) throws(ProfileLoadError) -> Bool {
        guard let value, !(value is NSNull) else { return fallback }
        guard let flag = value as? Bool, !(value is String) else { throw fail(field, "must be true or false") }
        return flag
    }

    func duration(_ value: Any?, _ field: String) throws(ProfileLoadError) -> Duration? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String, let d = DurationText.parse(text) else {
            throw fail(field, "must be a duration string such as \"10s\" or \"500ms\"")
        }
        guard d > .zero, d <= ProfileLoader.longestBound else {
            throw fail(field, "must be longer than zero and at most \(DurationText.format(ProfileLoader.longestBound))")
        }
        return d
    }

    func template(_ text: String, _ field: String) throws(ProfileLoadError) -> String {
        if let unknown = ProfileTemplate.unknownPlaceholders(text).first {
            throw fail(field, "unknown placeholder \(unknown): use \(ProfileTemplate.placeholders.joined(separator: ", "))")
        }
        return text
    }

    /// A payload: any JSON value (an object for a JSON envelope), kept as compact JSON text (a template).
    func payload(_ value: Any?, _ field: String, objectOnly: Bool) throws(ProfileLoadError) -> String {
        guard let value, !(value is NSNull) else { return "{}" }
        if objectOnly, !(value is [String: Any]) { throw fail(field, "must be a JSON object, e.g. {\"message\": \"hello\"}") }
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw fail(field, "cannot be written as JSON: use plain objects, lists, strings, numbers")
        }
        return try template(String(decoding: data, as: UTF8.self), field)
    }

    // MARK: - Profile

    static let topKeys = [
        "format", "name", "description", "connect", "auth", "envelope", "welcome", "heartbeat", "conversation", "criticalEvents",
        "errorTypes",
    ]

    func profile(_ root: [String: Any]) throws(ProfileLoadError) -> ApplicationProfile {
        let top = try object(root, "", keys: Self.topKeys)
        let format = try string(top["format"], "format", example: "\"\(ProfileLoader.format)\"")
        guard format == ProfileLoader.format else { throw fail("format", "is '\(format)'; this ws1011 reads \"\(ProfileLoader.format)\"") }
        let name = try string(top["name"], "name", example: "\"my-app\"")
        guard name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw fail("name", "use letters, digits, '-', '_' and '.', at most 64 characters, e.g. \"my-app\"")
        }
        var p = ApplicationProfile(
            name: name, summary: try optionalString(top["description"], "description", example: "\"my chat app\"") ?? "profile file \(path)"
        )
        if let connect = top["connect"] { p.connect = try self.connect(connect) }
        p.envelope =
            try top["envelope"].map { v throws(ProfileLoadError) in try envelope(v) } ?? .json(typeKey: "type", payloadKey: "payload")
        if let auth = top["auth"] { p.auth = try self.auth(auth, alsoOffered: p.connect.subprotocols) }
        if let welcome = top["welcome"], !(welcome is NSNull) { p.welcome = try self.welcome(welcome) }
        if let heartbeat = top["heartbeat"], !(heartbeat is NSNull) { p.heartbeat = try self.heartbeat(heartbeat, envelope: p.envelope) }
        if let steps = top["conversation"], !(steps is NSNull) {
            guard let list = steps as? [Any] else { throw fail("conversation", "must be a list of steps, each {name, send, expect}") }
            guard list.count <= 32 else { throw fail("conversation", "has \(list.count) steps; at most 32") }
            for (i, step) in list.enumerated() {
                p.conversation.append(try conversationStep(step, "conversation[\(i)]", envelope: p.envelope))
            }
        }
        p.criticalEvents = try strings(top["criticalEvents"], "criticalEvents", example: "\"agent_completed\"")
        if top["errorTypes"] != nil { p.errorTypes = try strings(top["errorTypes"], "errorTypes", example: "\"error\"") }
        if !p.criticalEvents.isEmpty {
            let expected = Set(p.conversation.flatMap(\.expect.events))
            if let lost = p.criticalEvents.first(where: { !expected.contains($0) }) {
                throw fail("criticalEvents", "'\(lost)' is not expected by any conversation step: add it to a step's expect.events")
            }
        }
        return p
    }

    func connect(_ value: Any) throws(ProfileLoadError) -> ApplicationProfile.Connect {
        let o = try object(value, "connect", keys: ["path", "query", "subprotocols"])
        var c = ApplicationProfile.Connect()
        if let path = try optionalString(o["path"], "connect.path", example: "\"/socket.io/\"") {
            guard path.hasPrefix("/"), !path.contains("?"), !path.contains(" ") else {
                throw fail(
                    "connect.path",
                    "must start with '/' and have no query or spaces, e.g. \"/socket.io/\" (query items go in connect.query)")
            }
            c.path = path
        }
        c.query = try strings(o["query"], "connect.query", example: "\"EIO=4\"")
        for (i, item) in c.query.enumerated() where !item.contains("=") || item.contains("&") || item.contains(" ") {
            throw fail("connect.query[\(i)]", "must be one NAME=VALUE item without '&' or spaces, e.g. \"transport=websocket\"")
        }
        c.subprotocols = try strings(o["subprotocols"], "connect.subprotocols", example: "\"graphql-transport-ws\"")
        try checkSubprotocols(c.subprotocols, "connect.subprotocols", templates: false)
        return c
    }

    func checkSubprotocols(_ entries: [String], _ field: String, templates: Bool) throws(ProfileLoadError) {
        for (i, entry) in entries.enumerated() {
            if templates { _ = try template(entry, "\(field)[\(i)]") }
            let name = templates ? ProfileTemplate.render(entry, token: "t", random: 1) : entry
            guard !name.isEmpty,
                name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"()<>@,;:\\\"/[]?={} ".unicodeScalars.contains($0) }
                )
            else {
                throw fail(
                    "\(field)[\(i)]",
                    "a subprotocol is an HTTP token (letters, digits, - . _ ! # $ & ' * + ^ ` | ~; no spaces, commas or slashes)\(templates ? " besides the placeholders {token} and {token:base64url}" : "")"
                )
            }
        }
    }

    func auth(_ value: Any, alsoOffered: [String]) throws(ProfileLoadError) -> ApplicationProfile.Auth {
        let o = try object(value, "auth", keys: ["subprotocols", "header", "query", "channel", "selects"])
        var a = ApplicationProfile.Auth()
        a.subprotocols = try strings(o["subprotocols"], "auth.subprotocols", example: "\"jwt.{token:base64url}\"")
        try checkSubprotocols(a.subprotocols, "auth.subprotocols", templates: true)
        if !a.subprotocols.isEmpty, !a.subprotocols.contains(where: ProfileTemplate.carriesToken) {
            throw fail(
                "auth.subprotocols",
                "no entry carries the token: add one with {token} or {token:base64url}, e.g. \"jwt.{token:base64url}\" (subprotocols offered without a credential go in connect.subprotocols)"
            )
        }
        if let header = o["header"], !(header is NSNull) {
            let h = try object(header, "auth.header", keys: ["name", "value"])
            let name = try string(h["name"], "auth.header.name", example: "\"Authorization\"")
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.allSatisfy(\.isASCII) else {
                throw fail("auth.header.name", "must be a header name (letters, digits, '-'), e.g. \"Authorization\"")
            }
            let value = try template(try string(h["value"], "auth.header.value", example: "\"Bearer {token}\""), "auth.header.value")
            guard ProfileTemplate.carriesToken(value) else {
                throw fail("auth.header.value", "must carry the token, e.g. \"Bearer {token}\"")
            }
            a.header = .init(name: name, value: value)
        }
        if let query = try optionalString(o["query"], "auth.query", example: "\"token\"") {
            guard query.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) else {
                throw fail("auth.query", "must be a query parameter name (letters, digits, _ - .), e.g. \"access_token\"")
            }
            a.queryParameter = query
        }
        if let channel = try optionalString(o["channel"], "auth.channel", example: "\"subprotocol\"") {
            switch channel {
            case "subprotocol" where !a.subprotocols.isEmpty: a.channel = .subprotocol
            case "header" where a.header != nil: a.channel = .header
            case "query" where a.queryParameter != nil: a.channel = .query
            case "subprotocol", "header", "query":
                throw fail(
                    "auth.channel",
                    "is '\(channel)' but auth.\(channel == "subprotocol" ? "subprotocols" : channel) is not given: describe that channel or pick another"
                )
            default: throw fail("auth.channel", "must be subprotocol, header or query")
            }
        }
        if let selects = try optionalString(o["selects"], "auth.selects", example: "\"token-entry\"") {
            switch selects {
            case "none": a.selects = .none
            case "any": a.selects = .any
            case "token-entry":
                guard a.subprotocols.contains(where: ProfileTemplate.carriesToken) else {
                    throw fail("auth.selects", "token-entry needs an auth.subprotocols entry with {token} or {token:base64url}")
                }
                a.selects = .tokenEntry
            case _ where selects.hasPrefix("fixed:") && selects.count > 6:
                let name = String(selects.dropFirst(6))
                guard a.subprotocols.contains(name) || alsoOffered.contains(name) else {
                    throw fail(
                        "auth.selects",
                        "'\(name)' is not among auth.subprotocols or connect.subprotocols: the server can only select what was offered")
                }
                a.selects = .fixed(name)
            default:
                throw fail("auth.selects", "must be none, any, token-entry or fixed:NAME (e.g. fixed:jwt-auth)")
            }
        }
        return a
    }

    func envelope(_ value: Any) throws(ProfileLoadError) -> ApplicationProfile.Envelope {
        let o = try object(value, "envelope", keys: ["kind", "typeKey", "payloadKey", "namespace", "auth"])
        let kind = try string(o["kind"], "envelope.kind", example: "\"json\"")
        func only(_ allowed: [String]) throws(ProfileLoadError) {
            for key in o.keys.sorted() where key != "kind" && !allowed.contains(key) {
                throw fail(
                    "envelope.\(key)",
                    "does not apply to kind \(kind)\(allowed.isEmpty ? "" : ": it takes \(allowed.joined(separator: ", "))")")
            }
        }
        switch kind {
        case "json":
            try only(["typeKey", "payloadKey"])
            let typeKey = try optionalString(o["typeKey"], "envelope.typeKey", example: "\"type\"") ?? "type"
            let payloadKey = try optionalString(o["payloadKey"], "envelope.payloadKey", example: "\"payload\"") ?? "payload"
            return .json(typeKey: typeKey, payloadKey: payloadKey)
        case "socketio":
            try only(["namespace", "auth"])
            let namespace = try optionalString(o["namespace"], "envelope.namespace", example: "\"/chat\"") ?? "/"
            guard namespace.hasPrefix("/"), !namespace.contains(","), !namespace.contains(" ") else {
                throw fail("envelope.namespace", "must start with '/' and have no commas or spaces, e.g. \"/chat\"")
            }
            let auth = try o["auth"].map { v throws(ProfileLoadError) in try payload(v, "envelope.auth", objectOnly: true) }
            return .socketIO(namespace: namespace, authJSON: auth)
        case "raw":
            try only([])
            return .raw
        default:
            throw fail("envelope.kind", "must be json, socketio or raw")
        }
    }

    func match(_ value: Any, _ field: String) throws(ProfileLoadError) -> ApplicationProfile.MessageMatch {
        let o = try object(value, field, keys: ["type", "fields"])
        let type = try string(o["type"], "\(field).type", example: "\"connection_established\"")
        var fields: [String: String] = [:]
        if let f = o["fields"], !(f is NSNull) {
            guard let dict = f as? [String: Any] else {
                throw fail(
                    "\(field).fields",
                    "must be an object of dotted paths to expected values, e.g. {\"data.event\": \"connection_established\"} (\"*\": present)"
                )
            }
            for (key, v) in dict.sorted(by: { $0.key < $1.key }) {
                guard !key.isEmpty, !key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                    throw fail("\(field).fields", "'\(key)' is not a dotted path such as data.event")
                }
                if let s = v as? String {
                    fields[key] = s
                } else if let n = v as? NSNumber {
                    fields[key] = n.stringValue
                } else {
                    throw fail("\(field).fields.\(key)", "must be a string, number or true/false (\"*\" for any value)")
                }
            }
        }
        return .init(type: type, fields: fields)
    }

    func welcome(_ value: Any) throws(ProfileLoadError) -> ApplicationProfile.Welcome {
        let o = try object(value, "welcome", keys: ["anyOf", "within"])
        guard let list = o["anyOf"] as? [Any], !list.isEmpty, list.count <= 16 else {
            throw fail("welcome.anyOf", "must list 1 to 16 accepted shapes, e.g. [{\"type\": \"connection_established\"}]")
        }
        var shapes: [ApplicationProfile.MessageMatch] = []
        for (i, item) in list.enumerated() { shapes.append(try match(item, "welcome.anyOf[\(i)]")) }
        return .init(anyOf: shapes, within: try duration(o["within"], "welcome.within"))
    }

    func heartbeat(_ value: Any, envelope: ApplicationProfile.Envelope) throws(ProfileLoadError) -> ApplicationProfile.Heartbeat {
        let o = try object(value, "heartbeat", keys: ["kind", "send", "expect", "within"])
        let kind = try string(o["kind"], "heartbeat.kind", example: "\"message\"")
        switch kind {
        case "message":
            guard envelope.kind != "raw" else {
                throw fail("heartbeat.kind", "message needs a json or socketio envelope (event names): set envelope.kind")
            }
            return .message(
                send: try string(o["send"], "heartbeat.send", example: "\"ping\""),
                expect: try string(o["expect"], "heartbeat.expect", example: "\"pong\""),
                within: try duration(o["within"], "heartbeat.within"))
        case "engineio":
            guard envelope.kind == "socketio" else { throw fail("heartbeat.kind", "engineio needs envelope.kind socketio") }
            for key in ["send", "expect"] where o[key] != nil {
                throw fail("heartbeat.\(key)", "does not apply to kind engineio: the server pings (2) and the probe answers (3)")
            }
            return .engineIO(within: try duration(o["within"], "heartbeat.within"))
        default:
            throw fail("heartbeat.kind", "must be message (we send a ping message, the app answers) or engineio")
        }
    }

    func conversationStep(_ value: Any, _ field: String, envelope: ApplicationProfile.Envelope) throws(ProfileLoadError)
        -> ApplicationProfile.ConversationStep
    {
        let o = try object(value, field, keys: ["name", "step", "send", "expect", "within"])
        let name = try string(o["name"], "\(field).name", example: "\"agent run\"")
        var step = StepName.messages
        if let s = try optionalString(o["step"], "\(field).step", example: "\"agent-events\"") {
            switch s {
            case "messages": step = .messages
            case "agent-events": step = .agentEvents
            default: throw fail("\(field).step", "must be messages or agent-events (the probe step it reports under)")
            }
        }
        let send = try object(o["send"], "\(field).send", keys: ["type", "payload", "text"])
        let outgoing: ApplicationProfile.Outgoing
        if let text = send["text"] {
            guard send["type"] == nil, send["payload"] == nil else { throw fail("\(field).send", "give either text, or type with payload") }
            outgoing = .text(try template(try string(text, "\(field).send.text", example: "\"hello {random}\""), "\(field).send.text"))
        } else {
            guard envelope.kind != "raw" else { throw fail("\(field).send", "a raw envelope sends text: give send.text") }
            let type = try string(send["type"], "\(field).send.type", example: "\"start_agent\"")
            outgoing = .event(
                type: type, payloadJSON: try payload(send["payload"], "\(field).send.payload", objectOnly: envelope.kind == "json"))
        }
        let e = try object(
            o["expect"], "\(field).expect", keys: ["events", "order", "repeats", "terminal", "chunks", "fields", "anyReply"])
        var expect = ApplicationProfile.Expectation()
        expect.events = try strings(e["events"], "\(field).expect.events", example: "\"agent_started\"")
        if let order = try optionalString(e["order"], "\(field).expect.order", example: "\"sequence\"") {
            switch order {
            case "sequence": expect.ordered = true
            case "set": expect.ordered = false
            default: throw fail("\(field).expect.order", "must be sequence (in this order) or set (any order)")
            }
        }
        expect.repeats = try bool(e["repeats"], "\(field).expect.repeats", default: true)
        expect.terminal = try optionalString(e["terminal"], "\(field).expect.terminal", example: "\"agent_completed\"")
        expect.chunks = try optionalString(e["chunks"], "\(field).expect.chunks", example: "\"partial_result\"")
        expect.fields = try strings(e["fields"], "\(field).expect.fields", example: "\"run_id\"")
        expect.anyReply = try bool(e["anyReply"], "\(field).expect.anyReply", default: false)
        if expect.anyReply {
            guard expect.events.isEmpty, expect.terminal == nil, expect.chunks == nil else {
                throw fail(
                    "\(field).expect.anyReply", "any reply ends the step: leave out events, terminal and chunks, or set anyReply false")
            }
        } else if expect.endingEvent == nil {
            throw fail("\(field).expect", "say what must come back: events (and a terminal), chunks with a terminal, or anyReply true")
        } else if expect.chunks != nil, expect.terminal == nil {
            throw fail("\(field).expect.terminal", "streaming needs the event that completes it, e.g. \"stream_complete\"")
        }
        if envelope.kind == "raw", !expect.anyReply {
            throw fail("\(field).expect", "a raw envelope has no event names: use anyReply true")
        }
        return .init(name: name, step: step, send: outgoing, expect: expect, within: try duration(o["within"], "\(field).within"))
    }
}
