import Foundation

/// One inbound text message as a profile's envelope reads it: the event name, the JSON the field checks
/// look into, and, for Engine.IO/Socket.IO, the transport packets the session handles itself.
public struct ProfileMessage {
    /// Transport packets of Engine.IO / Socket.IO that are not application events.
    public enum Control: Equatable, Sendable {
        /// Engine.IO open `0{"sid":…,"pingInterval":…,"pingTimeout":…}` (milliseconds).
        case open(pingIntervalMs: Double?, pingTimeoutMs: Double?)
        /// Engine.IO ping `2` (answered with `3`).
        case ping
        /// Engine.IO pong `3`.
        case pong
        /// Engine.IO close `1`, or Socket.IO DISCONNECT `41`.
        case close
        /// Socket.IO CONNECT `40` accepted by a namespace.
        case connect(namespace: String)
        /// Socket.IO CONNECT_ERROR `44`: the namespace refused, with its message.
        case connectError(namespace: String, message: String)
        /// Engine.IO noop `6`, Socket.IO ACKs and anything else the probe ignores.
        case other
    }

    /// The event name (`type` of a JSON message, a Socket.IO event's name), when there is one.
    public var type: String?
    /// The JSON the field checks look into: the JSON object, or a Socket.IO event's first argument.
    public var object: Any?
    /// A transport packet, when this is one.
    public var control: Control?
    /// The text as received.
    public var text: String

    /// Decodes `text` by `envelope`.
    public static func decode(_ text: String, envelope: ApplicationProfile.Envelope) -> ProfileMessage {
        switch envelope {
        case .raw:
            return ProfileMessage(type: nil, object: nil, control: nil, text: text)
        case .json(let typeKey, _):
            let object = json(text)
            return ProfileMessage(type: (object as? [String: Any])?[typeKey] as? String, object: object, control: nil, text: text)
        case .socketIO:
            return engineIO(text)
        }
    }

    /// An Engine.IO v4 packet (`0` open, `1` close, `2` ping, `3` pong, `4` message, `6` noop).
    static func engineIO(_ text: String) -> ProfileMessage {
        var m = ProfileMessage(type: nil, object: nil, control: .other, text: text)
        guard let kind = text.first else { return m }
        let body = String(text.dropFirst())
        switch kind {
        case "0":
            let open = json(body) as? [String: Any]
            m.control = .open(
                pingIntervalMs: (open?["pingInterval"] as? NSNumber)?.doubleValue,
                pingTimeoutMs: (open?["pingTimeout"] as? NSNumber)?.doubleValue)
        case "1": m.control = .close
        case "2": m.control = .ping
        case "3": m.control = .pong
        case "4": m = socketIO(body, text: text)
        default: break
        }
        return m
    }

    /// A Socket.IO v5 packet inside an Engine.IO message: type digit, optional `/namespace,`, optional ack id, JSON.
    static func socketIO(_ body: String, text: String) -> ProfileMessage {
        var m = ProfileMessage(type: nil, object: nil, control: .other, text: text)
        guard let kind = body.first else { return m }
        var rest = Substring(body.dropFirst())
        var namespace = "/"
        if rest.first == "/" {
            let end = rest.firstIndex(of: ",") ?? rest.endIndex
            namespace = String(rest[..<end])
            rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
        }
        while let c = rest.first, c.isNumber { rest = rest.dropFirst() }  // an ack id
        let payload = json(String(rest))
        switch kind {
        case "0": m.control = .connect(namespace: namespace)
        case "1": m.control = .close
        case "4":
            let message = (payload as? [String: Any])?["message"] as? String ?? (payload as? String) ?? String(rest)
            m.control = .connectError(namespace: namespace, message: message)
        case "2":
            if let args = payload as? [Any], let name = args.first as? String {
                m.control = nil
                m.type = name
                m.object = args.count > 1 ? args[1] : nil
            }
        default: break
        }
        return m
    }

    /// The JSON value of `text`, or `nil`.
    static func json(_ text: String) -> Any? {
        guard let data = text.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// The value at a dotted `path` (`data.event`) in `object`, or `nil`.
    static func value(at path: String, in object: Any?) -> Any? {
        var node = object
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let dict = node as? [String: Any], let next = dict[String(part)] else { return nil }
            node = next
        }
        return node is NSNull ? nil : node
    }

    /// Whether this message has the shape of `match`: its event name, and every field equal (`*`: present).
    public func matches(_ match: ApplicationProfile.MessageMatch) -> Bool {
        guard type == match.type else { return false }
        for (path, expected) in match.fields {
            guard let value = Self.value(at: path, in: object) else { return false }
            if expected == "*" { continue }
            guard Self.text(of: value) == expected else { return false }
        }
        return true
    }

    /// A JSON scalar as text (`true`, `3`, `"x"` → `x`).
    static func text(of value: Any) -> String {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        return String(describing: value)
    }

    // MARK: - Encoding

    /// The text frame for `outgoing` in `envelope`, templates filled with `token`.
    public static func encode(_ outgoing: ApplicationProfile.Outgoing, envelope: ApplicationProfile.Envelope, token: String?) -> String {
        switch outgoing {
        case .text(let template):
            return ProfileTemplate.render(template, token: token)
        case .event(let type, let payloadTemplate):
            let payload = ProfileTemplate.render(payloadTemplate, token: token, jsonString: true).trimmingCharacters(
                in: .whitespacesAndNewlines)
            switch envelope {
            case .json(let typeKey, let payloadKey):
                return "{\(quoted(typeKey)):\(quoted(type)),\(quoted(payloadKey)):\(payload.isEmpty ? "{}" : payload)}"
            case .socketIO(let namespace, _):
                let prefix = namespace == "/" ? "" : namespace + ","
                return "42\(prefix)[\(quoted(type))\(payload.isEmpty ? "" : "," + payload)]"
            case .raw:
                return payload
            }
        }
    }

    /// The Socket.IO CONNECT packet for `namespace` (`40`, `40/chat,`), with the auth object when given.
    static func connectPacket(namespace: String, authJSON: String?, token: String?) -> String {
        let prefix = namespace == "/" ? "" : namespace + ","
        let auth = authJSON.map { ProfileTemplate.render($0, token: token, jsonString: true) } ?? ""
        return "40" + prefix + auth
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
