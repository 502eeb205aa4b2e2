/// What a separate TLS connection offering ALPN `h2` found: whether the server speaks HTTP/2, whether it
/// advertises WebSockets over HTTP/2 (RFC 8441, `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`), and whether the
/// extended CONNECT then works.
///
/// Browsers (Chrome, Firefox) open a WebSocket over an existing HTTP/2 connection whenever the server
/// advertises the setting, and do not fall back to HTTP/1.1 when the CONNECT fails; CLI clients speak
/// HTTP/1.1 only. This is the evidence for the failure only browsers see.
public struct HTTP2Observation: Codable, Sendable, Equatable {
    /// The outcome of the check.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        /// ALPN chose `http/1.1` or nothing: browsers use WebSockets over HTTP/1.1 here.
        case notOffered = "not-offered"
        /// HTTP/2 was negotiated, but the server did not advertise `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`:
        /// browsers open a separate HTTP/1.1 connection for the WebSocket.
        case noExtendedConnect = "no-extended-connect"
        /// Advertised, and the extended CONNECT was answered 200, a ping was answered over the stream and,
        /// when the profile has a first message, that message was answered too.
        case works
        /// Advertised, and the extended CONNECT failed (a status other than 200, `RST_STREAM`, `GOAWAY`,
        /// the connection ending, no answer in time, no pong over the stream, or no answer to the profile's
        /// first message).
        case fails
        /// The check could not tell (the TCP or TLS connection for it failed, or the run was stopped).
        case unchecked
    }

    /// One setting of the server's first SETTINGS frame.
    public struct Setting: Codable, Sendable, Equatable {
        /// The identifier (RFC 9113 §6.5.2; 8 is `SETTINGS_ENABLE_CONNECT_PROTOCOL`).
        public var id: Int
        /// `SETTINGS_MAX_CONCURRENT_STREAMS`, …, or `UNKNOWN_0xNN`.
        public var name: String
        public var value: Int

        public init(id: Int, name: String, value: Int) {
            self.id = id
            self.name = name
            self.value = value
        }
    }

    public var outcome: Outcome
    /// The protocol ALPN selected (`h2`, `http/1.1`), `nil` when the server selected none.
    public var alpn: String?
    /// The server's first SETTINGS frame, in its order; `nil` when none came (no HTTP/2).
    public var settings: [Setting]?
    /// Whether the server advertised `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`.
    public var extendedConnect: Bool
    /// The `:status` of the answer to the extended CONNECT, when one came.
    public var status: Int?
    /// The answer's headers (`:status` excluded), when one came.
    public var headers: [HeaderField]?
    /// The subprotocol the answer selected (`sec-websocket-protocol`), when one did.
    public var subprotocol: String?
    /// The `RST_STREAM` error code on the CONNECT stream (`CANCEL`, `REFUSED_STREAM`, `CONNECT_ERROR`, …), when one came.
    public var resetCode: String?
    /// The `GOAWAY` error code, when the server sent one.
    public var goAwayCode: String?
    /// Milliseconds from the start of the check to the failure (the answer, the reset, the end), when it failed.
    public var failedAtMs: Double?
    /// Milliseconds from the start of the check to the server's SETTINGS frame.
    public var settingsAtMs: Double?
    /// Milliseconds from the start of the check to the answer of the extended CONNECT.
    public var answerAtMs: Double?
    /// The round trip of the WebSocket ping sent over the stream, when it was answered.
    public var pingRttMs: Double?
    /// The profile's first message, when the check sent it over the stream after the pong: its event type,
    /// or `a text message` (never its text, which may carry the credential).
    public var messageSent: String?
    /// Whether an answer to ``messageSent`` came within its bound (`nil` when none was sent).
    public var messageAnswered: Bool?
    /// From writing ``messageSent`` to its answer.
    public var messageRttMs: Double?
    /// What ended the stream or its connection, in the order read (over `--http2`; empty when nothing did).
    public var streamEnds: [StreamEnd]?
    /// How long the whole check took.
    public var durationMs: Double?
    /// What happened, in words.
    public var detail: String

    /// One thing that ended the WebSocket's stream or its connection, as it was read: `END_STREAM`,
    /// `RST_STREAM` or `GOAWAY` with its code. A stream can end more than once: a server that ends it
    /// (`END_STREAM`) and then resets it (`RST_STREAM NO_ERROR`, RFC 9113 §8.1; Node's `close()` does this).
    public struct StreamEnd: Codable, Sendable, Equatable {
        /// `END_STREAM`, `RST_STREAM` or `GOAWAY`.
        public var frame: String
        /// The error code (`NO_ERROR`, `CANCEL`, …); `nil` for `END_STREAM`.
        public var code: String?
        /// Milliseconds from the start (of the check, or of the connection over HTTP/2).
        public var atMs: Double

        public init(frame: String, code: String? = nil, atMs: Double) {
            self.frame = frame
            self.code = code
            self.atMs = atMs
        }

        /// `END_STREAM`, `RST_STREAM CANCEL`.
        public var text: String { code.map { "\(frame) \($0)" } ?? frame }
    }

    public init(
        outcome: Outcome, alpn: String? = nil, settings: [Setting]? = nil, extendedConnect: Bool = false, status: Int? = nil,
        headers: [HeaderField]? = nil, subprotocol: String? = nil, resetCode: String? = nil, goAwayCode: String? = nil,
        failedAtMs: Double? = nil, settingsAtMs: Double? = nil, answerAtMs: Double? = nil, pingRttMs: Double? = nil,
        messageSent: String? = nil, messageAnswered: Bool? = nil, messageRttMs: Double? = nil, streamEnds: [StreamEnd]? = nil,
        durationMs: Double? = nil, detail: String
    ) {
        self.outcome = outcome
        self.alpn = alpn
        self.settings = settings
        self.extendedConnect = extendedConnect
        self.status = status
        self.headers = headers
        self.subprotocol = subprotocol
        self.resetCode = resetCode
        self.goAwayCode = goAwayCode
        self.failedAtMs = failedAtMs
        self.settingsAtMs = settingsAtMs
        self.answerAtMs = answerAtMs
        self.pingRttMs = pingRttMs
        self.messageSent = messageSent
        self.messageAnswered = messageAnswered
        self.messageRttMs = messageRttMs
        self.streamEnds = streamEnds
        self.durationMs = durationMs
        self.detail = detail
    }

    /// The step the report shows for this observation: `failed` when advertised but broken, `skipped` when
    /// unchecked, else `passed` (nothing that breaks a browser).
    public var step: ProbeStep {
        let status: StepStatus =
            switch outcome {
            case .fails: .failed
            case .unchecked: .skipped
            case .notOffered, .noExtendedConnect, .works: .passed
            }
        return ProbeStep(name: .h2, status: status, durationMs: durationMs, detail: detail)
    }
}
