import Foundation

/// Everything one WebSocket connection attempt did on the wire, as raw evidence.
///
/// A transcript is data, never a judgement: the classifier derives a ``Verdict`` from it.
/// All times are milliseconds on a monotonic clock, counted from the start of the attempt
/// (``startedAt`` gives the wall-clock anchor for humans). Secrets are redacted by the
/// recorder before they reach a transcript (see ``Redactor``).
public struct ConnectionTranscript: Codable, Sendable, Equatable {
    /// The target as given (redacted), and its parts.
    public var target: TargetDescription
    /// Wall-clock time at which the attempt started (for humans only; never used for timing).
    public var startedAt: Date?
    /// Addresses the host name resolved to, in resolver order (`"127.0.0.1:8080"`, `"[::1]:8080"`).
    public var resolvedAddresses: [String]
    /// The address the TCP connection was made to, when one was made.
    public var connectedAddress: String?
    /// The `--resolve`/`--connect-to` routes that sent the connection somewhere other than the URL's host
    /// (`"--connect-to example.com:443:127.0.0.1:8443"`), `nil` when none applied.
    public var route: String?
    /// The HTTP CONNECT hop through a forward proxy, `nil` when no proxy was used.
    public var proxy: ProxyObservation?
    /// Per-phase durations and the offsets at which each phase ended.
    public var timings: PhaseTimings
    /// The TLS outcome; `nil` for `ws://`.
    public var tls: TLSObservation?
    /// The upgrade request as sent (secrets redacted).
    public var request: HandshakeRequest?
    /// The upgrade response as received, and what we checked in it.
    public var handshake: HandshakeObservation?
    /// Every frame in and out, in order.
    public var frames: [FrameRecord]
    /// Our own pings and their round trips.
    public var pings: [PingRecord]
    /// Typed findings about the peer's behaviour (protocol violations, timeouts, handshake faults).
    public var findings: [Finding]
    /// How the connection ended: close frames each way, which came first, how the transport ended.
    public var close: CloseObservation
    /// The first thing that failed, when the attempt did not reach an open connection or broke.
    public var failure: ProbeFailure?
    /// Bytes that crossed the socket each way (proof that real I/O happened).
    public var wire: WireCounters
    /// Frames left out of ``frames`` to keep a long session's memory bounded (the recorder keeps
    /// the first and the most recent ones); `nil` when every frame is listed.
    public var framesDropped: Int? = nil
    /// Frames and payload bytes per direction and opcode over the whole connection, dropped frames
    /// included; `nil` when every frame is listed in ``frames``.
    public var frameTotals: [FrameTotal]? = nil
    /// The keepalive the server announced in its own protocol when the connection opened (Engine.IO's open
    /// packet), read from the whole message; `nil` when none was seen.
    public var applicationKeepalive: ApplicationKeepaliveAnnouncement? = nil
    /// The HTTP/2 connection the WebSocket went over (`--http2`, RFC 8441): ALPN, the server's SETTINGS,
    /// the answer to the extended CONNECT and how the stream ended (`RST_STREAM`, `GOAWAY`); times are ms
    /// since this connection's start. `nil` over HTTP/1.1.
    public var http2: HTTP2Observation? = nil

    public init(
        target: TargetDescription,
        startedAt: Date? = nil,
        resolvedAddresses: [String] = [],
        connectedAddress: String? = nil,
        timings: PhaseTimings = PhaseTimings(),
        tls: TLSObservation? = nil,
        request: HandshakeRequest? = nil,
        handshake: HandshakeObservation? = nil,
        frames: [FrameRecord] = [],
        pings: [PingRecord] = [],
        findings: [Finding] = [],
        close: CloseObservation = CloseObservation(),
        failure: ProbeFailure? = nil,
        wire: WireCounters = WireCounters()
    ) {
        self.target = target
        self.startedAt = startedAt
        self.resolvedAddresses = resolvedAddresses
        self.connectedAddress = connectedAddress
        self.timings = timings
        self.tls = tls
        self.request = request
        self.handshake = handshake
        self.frames = frames
        self.pings = pings
        self.findings = findings
        self.close = close
        self.failure = failure
        self.wire = wire
    }
}

/// Bytes read from and written to the socket (TLS records included).
public struct WireCounters: Codable, Sendable, Equatable {
    public var bytesIn: Int
    public var bytesOut: Int
    public init(bytesIn: Int = 0, bytesOut: Int = 0) {
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}

// MARK: - Target

/// The URL that was probed, redacted, with its parts.
public struct TargetDescription: Codable, Sendable, Equatable {
    /// The URL as given, with secrets in the query redacted.
    public var url: String
    /// `ws` or `wss`.
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path and query (query redacted).
    public var resource: String

    public var isSecure: Bool { scheme == "wss" }

    public init(url: String, scheme: String, host: String, port: Int, resource: String) {
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = port
        self.resource = resource
    }
}

// MARK: - Timings

/// Durations of each phase and the offsets (from the start of the attempt) at which each ended.
///
/// `upgradeMs` counts from the end of the TLS handshake (or of the TCP connect for `ws://`)
/// to the complete response head — not from the moment the request was queued.
public struct PhaseTimings: Codable, Sendable, Equatable {
    public var dnsMs: Double?
    public var tcpMs: Double?
    public var tlsMs: Double?
    public var upgradeMs: Double?
    /// Offset at which the upgrade request was fully written.
    public var requestWrittenAtMs: Double?
    /// Offset of the first byte of the response.
    public var firstResponseByteAtMs: Double?
    /// Offset at which the response head was complete.
    public var responseHeadAtMs: Double?
    /// Offset at which the connection was open (101 checked and accepted).
    public var openAtMs: Double?
    /// Offset of the first inbound frame.
    public var firstFrameAtMs: Double?

    public init(
        dnsMs: Double? = nil, tcpMs: Double? = nil, tlsMs: Double? = nil, upgradeMs: Double? = nil,
        requestWrittenAtMs: Double? = nil, firstResponseByteAtMs: Double? = nil,
        responseHeadAtMs: Double? = nil, openAtMs: Double? = nil, firstFrameAtMs: Double? = nil
    ) {
        self.dnsMs = dnsMs
        self.tcpMs = tcpMs
        self.tlsMs = tlsMs
        self.upgradeMs = upgradeMs
        self.requestWrittenAtMs = requestWrittenAtMs
        self.firstResponseByteAtMs = firstResponseByteAtMs
        self.responseHeadAtMs = responseHeadAtMs
        self.openAtMs = openAtMs
        self.firstFrameAtMs = firstFrameAtMs
    }
}

// MARK: - TLS

/// What the TLS handshake showed.
public struct TLSObservation: Codable, Sendable, Equatable {
    /// `true` when the chain was verified and accepted.
    public var verified: Bool
    /// `true` when verification was turned off by the user (`--insecure`): the report must say so.
    public var verificationDisabled: Bool
    /// Why the handshake failed, when it did.
    public var failure: TLSFailureReason?
    /// Human detail of the failure (library message, which certificate).
    public var failureDetail: String?
    /// The chain the server sent, leaf first.
    public var chain: [CertificateSummary]
    /// Negotiated protocol version (`TLSv1.3`), when known.
    public var protocolVersion: String?
    /// The subject of the client certificate we offered (`--cert`), `nil` when none was configured.
    public var clientCertificate: String?
    /// `true` when the server asked for a client certificate (a CertificateRequest, visible in TLS 1.2
    /// handshakes; TLS 1.3 encrypts it, so there it is `nil` unless the server's alert tells).
    public var clientCertificateRequested: Bool?

    public init(
        verified: Bool = false, verificationDisabled: Bool = false, failure: TLSFailureReason? = nil,
        failureDetail: String? = nil, chain: [CertificateSummary] = [], protocolVersion: String? = nil
    ) {
        self.verified = verified
        self.verificationDisabled = verificationDisabled
        self.failure = failure
        self.failureDetail = failureDetail
        self.chain = chain
        self.protocolVersion = protocolVersion
    }
}

/// A precise reason for a failed TLS handshake.
public enum TLSFailureReason: String, Codable, Sendable, CaseIterable {
    case expired
    case notYetValid = "not-yet-valid"
    case hostnameMismatch = "hostname-mismatch"
    case selfSigned = "self-signed"
    case unknownIssuer = "unknown-issuer"
    case missingIntermediate = "missing-intermediate"
    /// `wss://` to a server that does not speak TLS ("wrong version number").
    case plaintextPort = "plaintext-port"
    /// Anything else: alert from the peer, reset mid-handshake, no shared cipher.
    case handshakeFailure = "handshake-failure"
    /// The server requires a client certificate (mTLS) and we offered none: its `certificate_required`
    /// alert, or a handshake failure right after its CertificateRequest.
    case clientCertificateRequired = "client-certificate-required"
    /// We offered a client certificate and the server refused it (`unknown_ca`, `bad_certificate`,
    /// `certificate_unknown`, `certificate_expired`, `access_denied` alerts from the server).
    case clientCertificateRejected = "client-certificate-rejected"
}

/// One certificate of the chain the server sent.
public struct CertificateSummary: Codable, Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var notBefore: Date
    public var notAfter: Date
    public var subjectAlternativeNames: [String]
    public var isCA: Bool

    public init(
        subject: String, issuer: String, notBefore: Date, notAfter: Date, subjectAlternativeNames: [String] = [], isCA: Bool = false
    ) {
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.subjectAlternativeNames = subjectAlternativeNames
        self.isCA = isCA
    }
}

// MARK: - Handshake

/// An HTTP header as a name/value pair (order and duplicates kept).
public struct HeaderField: Codable, Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HeaderField {
    /// The first value of a header, compared case-insensitively.
    public func first(named name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
    /// All values of a header, compared case-insensitively.
    public func all(named name: String) -> [String] {
        filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

/// The upgrade request as sent (redacted).
public struct HandshakeRequest: Codable, Sendable, Equatable {
    public var method: String
    public var resource: String
    public var headers: [HeaderField]
    /// Subprotocols offered, in order (redacted: `jwt.<redacted>`).
    public var offeredSubprotocols: [String]
    /// Extensions offered (`permessage-deflate`).
    public var offeredExtensions: [String]

    public init(
        method: String = "GET", resource: String, headers: [HeaderField], offeredSubprotocols: [String] = [],
        offeredExtensions: [String] = []
    ) {
        self.method = method
        self.resource = resource
        self.headers = headers
        self.offeredSubprotocols = offeredSubprotocols
        self.offeredExtensions = offeredExtensions
    }
}

/// The upgrade response and what was checked in it.
public struct HandshakeObservation: Codable, Sendable, Equatable {
    /// HTTP status, `nil` when no parsable status line arrived.
    public var status: Int?
    public var reasonPhrase: String?
    public var httpVersion: String?
    public var headers: [HeaderField]
    /// Up to 4 KiB of the body of a rejected upgrade (lossy UTF-8).
    public var bodyPreview: String?
    /// Bytes of body received (may exceed the preview).
    public var bodyBytes: Int?
    /// `Sec-WebSocket-Accept` matched the key we sent; `nil` when absent or not a 101.
    public var acceptValid: Bool?
    /// The subprotocol the server selected, if any.
    public var subprotocol: String?
    /// Extensions the server accepted.
    public var extensions: [String]

    /// Whether the answer is the one that opens a WebSocket: 101 over HTTP/1.1, a 2xx to the extended
    /// CONNECT over HTTP/2 (RFC 8441 §5).
    public var opensWebSocket: Bool {
        guard let status else { return false }
        return httpVersion == "HTTP/2" ? (200..<300).contains(status) : status == 101
    }

    public init(
        status: Int? = nil, reasonPhrase: String? = nil, httpVersion: String? = nil, headers: [HeaderField] = [],
        bodyPreview: String? = nil, bodyBytes: Int? = nil, acceptValid: Bool? = nil, subprotocol: String? = nil,
        extensions: [String] = []
    ) {
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.httpVersion = httpVersion
        self.headers = headers
        self.bodyPreview = bodyPreview
        self.bodyBytes = bodyBytes
        self.acceptValid = acceptValid
        self.subprotocol = subprotocol
        self.extensions = extensions
    }
}

// MARK: - Frames and pings

/// Which way a frame travelled, seen from the client.
public enum Direction: String, Codable, Sendable {
    case inbound
    case outbound
}

/// One frame on the wire.
public struct FrameRecord: Codable, Sendable, Equatable {
    public var direction: Direction
    /// `text`, `binary`, `continuation`, `ping`, `pong`, `close`, or `reserved-0xN`.
    public var opcode: String
    public var fin: Bool
    /// RSV1–3 as a 3-bit number (0 when none set).
    public var rsv: Int
    /// Payload length in bytes.
    public var length: Int
    public var atMs: Double
    /// At most 64 characters of the payload (text) or a hex prefix (binary), redacted.
    public var preview: String?

    public init(direction: Direction, opcode: String, fin: Bool = true, rsv: Int = 0, length: Int, atMs: Double, preview: String? = nil) {
        self.direction = direction
        self.opcode = opcode
        self.fin = fin
        self.rsv = rsv
        self.length = length
        self.atMs = atMs
        self.preview = preview
    }
}

/// One of our pings and its pong.
public struct PingRecord: Codable, Sendable, Equatable {
    public var sentAtMs: Double
    /// When the matching pong arrived; `nil` when none did.
    public var pongAtMs: Double?
    public var rttMs: Double? { pongAtMs.map { $0 - sentAtMs } }

    public init(sentAtMs: Double, pongAtMs: Double? = nil) {
        self.sentAtMs = sentAtMs
        self.pongAtMs = pongAtMs
    }

    enum CodingKeys: String, CodingKey { case sentAtMs, pongAtMs, rttMs }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sentAtMs = try c.decode(Double.self, forKey: .sentAtMs)
        pongAtMs = try c.decodeIfPresent(Double.self, forKey: .pongAtMs)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sentAtMs, forKey: .sentAtMs)
        try c.encode(pongAtMs, forKey: .pongAtMs)
        try c.encode(rttMs, forKey: .rttMs)
    }
}

// MARK: - Findings and failure

/// A typed observation about the peer or the path: a protocol violation, a handshake fault, a timeout.
public struct Finding: Codable, Sendable, Equatable {
    public var code: FindingCode
    public var detail: String
    public var atMs: Double?

    public init(_ code: FindingCode, _ detail: String, atMs: Double? = nil) {
        self.code = code
        self.detail = detail
        self.atMs = atMs
    }
}

/// The stage of an attempt at which something failed.
public enum ProbeStage: String, Codable, Sendable, CaseIterable {
    case dns, tcp, proxy, tls, upgrade, websocket
}

/// The first thing that failed in an attempt.
public struct ProbeFailure: Codable, Sendable, Equatable {
    public var stage: ProbeStage
    /// What stopped it, from ``ProbeFailureKind``'s catalogue (`connection-refused`, `handshake-timeout`, …).
    public var kind: ProbeFailureKind
    public var detail: String
    public var atMs: Double?

    public init(stage: ProbeStage, kind: ProbeFailureKind, detail: String, atMs: Double? = nil) {
        self.stage = stage
        self.kind = kind
        self.detail = detail
        self.atMs = atMs
    }
}
