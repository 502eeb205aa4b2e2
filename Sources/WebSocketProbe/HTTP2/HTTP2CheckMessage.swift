import WebSocketDiagnosis

/// The profile's first message as the `h2` check sends it over the stream once the ping is answered, and
/// what counts as its answer: the message the HTTP/1.1 run sends first (the heartbeat's, else the first
/// conversation step's), so the check compares like with like.
public struct HTTP2CheckMessage: Sendable, Equatable {
    /// The text frame to send, rendered (it may carry the credential: never recorded).
    public var text: String
    /// What it is, for the observation: the event type, or `a text message`.
    public var name: String
    /// How inbound text is read (its event name).
    public var envelope: ApplicationProfile.Envelope
    /// Event names any one of which answers it (the step's events, terminal and chunk event).
    public var answers: [String]
    /// Any data message answers it (an echo).
    public var anyReply: Bool
    /// Event names that are the application's error.
    public var errorTypes: [String]
    /// How long the answer may take.
    public var within: Duration

    /// A message sent as `text`, described as `name`, answered by any of `answers` (or by anything when
    /// `anyReply`), refused by any of `errorTypes`, within `within`.
    public init(
        text: String, name: String, envelope: ApplicationProfile.Envelope = .raw, answers: [String] = [], anyReply: Bool = false,
        errorTypes: [String] = [], within: Duration
    ) {
        self.text = text
        self.name = name
        self.envelope = envelope
        self.answers = answers
        self.anyReply = anyReply
        self.errorTypes = errorTypes
        self.within = within
    }

    /// What an inbound data message is to the exchange.
    enum Reply: Sendable, Equatable {
        /// The answer (its event type, when it has one).
        case answer(String?)
        /// The application's error event.
        case error(String)
        /// Something else (a welcome, a broadcast): keep waiting.
        case other
    }

    /// Judges one inbound data message: `text` for a text message, `nil` for a binary one.
    func reply(to text: String?) -> Reply {
        let type = text.flatMap { ProfileMessage.decode($0, envelope: envelope).type }
        if let type, errorTypes.contains(type) { return .error(type) }
        if anyReply { return .answer(type) }
        if let type, answers.contains(type) { return .answer(type) }
        return .other
    }

    /// The first message the HTTP/1.1 run of `profile` sends, rendered with `token`: the heartbeat's message,
    /// else the first `messages` conversation step's, else the first conversation step's; `nil` when the
    /// profile sends none, or when its envelope needs a handshake of its own first (Socket.IO: the check
    /// does not speak Engine.IO). `messageBound` is the plan's message bound (a step's `within` wins).
    public static func first(of profile: ApplicationProfile, token: String?, messageBound: Duration) -> HTTP2CheckMessage? {
        if case .socketIO = profile.envelope { return nil }
        if case .message(let send, let expect, let within) = profile.heartbeat {
            return HTTP2CheckMessage(
                text: ProfileMessage.encode(.event(type: send, payloadJSON: "{}"), envelope: profile.envelope, token: token), name: send,
                envelope: profile.envelope, answers: [expect], errorTypes: profile.errorTypes, within: within ?? messageBound)
        }
        guard let step = profile.conversation.first(where: { $0.step == .messages }) ?? profile.conversation.first else { return nil }
        let expect = step.expect
        return HTTP2CheckMessage(
            text: ProfileMessage.encode(step.send, envelope: profile.envelope, token: token), name: step.send.describe,
            envelope: profile.envelope, answers: expect.events + [expect.terminal, expect.chunks].compactMap { $0 },
            anyReply: expect.anyReply, errorTypes: profile.errorTypes, within: step.within ?? messageBound * max(1, expect.events.count))
    }
}
