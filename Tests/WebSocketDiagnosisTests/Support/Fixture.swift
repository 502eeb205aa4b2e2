import Foundation

@testable import WebSocketDiagnosis

/// Small builders for fixture transcripts. All times are milliseconds from the start of the attempt.
enum Fixture {
    static let target = TargetDescription(
        url: "wss://app.example.test/ws", scheme: "wss", host: "app.example.test", port: 443, resource: "/ws")
    static let directTarget = TargetDescription(url: "ws://10.0.0.7:8000/ws", scheme: "ws", host: "10.0.0.7", port: 8000, resource: "/ws")

    /// A connection that opened at `openAt` (101 accepted) and is still open at `openAt + 1000`.
    static func opened(
        openAt: Double = 120, frames: [FrameRecord] = [], pings: [PingRecord] = [], offered: [String] = [],
        selected: String? = nil, target: TargetDescription = Fixture.target
    ) -> ConnectionTranscript {
        ConnectionTranscript(
            target: target, resolvedAddresses: ["192.0.2.10:443"], connectedAddress: "192.0.2.10:443",
            timings: PhaseTimings(
                dnsMs: 3, tcpMs: 20, tlsMs: 40, upgradeMs: 50, requestWrittenAtMs: 70, firstResponseByteAtMs: 115, responseHeadAtMs: 118,
                openAtMs: openAt),
            request: HandshakeRequest(resource: target.resource, headers: [HeaderField("Host", target.host)], offeredSubprotocols: offered),
            handshake: HandshakeObservation(
                status: 101, reasonPhrase: "Switching Protocols", httpVersion: "HTTP/1.1", acceptValid: true, subprotocol: selected),
            frames: frames, pings: pings,
            close: CloseObservation(transportEnd: .stillOpen, atMs: openAt + 1000))
    }

    /// An upgrade answered with `status` (no connection opened).
    static func rejected(
        _ status: Int, _ phrase: String = "", server: String? = nil, body: String? = nil, headers: [HeaderField] = [],
        target: TargetDescription = Fixture.target
    ) -> ConnectionTranscript {
        var all = headers
        if let server { all.append(HeaderField("Server", server)) }
        return ConnectionTranscript(
            target: target, resolvedAddresses: ["192.0.2.10:443"], connectedAddress: "192.0.2.10:443",
            timings: PhaseTimings(
                dnsMs: 3, tcpMs: 20, tlsMs: 40, upgradeMs: 50, requestWrittenAtMs: 70, firstResponseByteAtMs: 115, responseHeadAtMs: 118),
            request: HandshakeRequest(resource: target.resource, headers: [HeaderField("Host", target.host)]),
            handshake: HandshakeObservation(
                status: status, reasonPhrase: phrase, httpVersion: "HTTP/1.1", headers: all, bodyPreview: body, bodyBytes: body?.utf8.count),
            close: CloseObservation(transportEnd: .eof, atMs: 130),
            failure: ProbeFailure(stage: .upgrade, kind: "upgrade-rejected", detail: "HTTP \(status)", atMs: 118))
    }

    /// An attempt that failed before any HTTP answer.
    static func failed(
        _ stage: ProbeStage, _ kind: ProbeFailureKind, _ detail: String = "", atMs: Double = 50, target: TargetDescription = Fixture.target
    ) -> ConnectionTranscript {
        ConnectionTranscript(
            target: target, timings: PhaseTimings(dnsMs: stage == .dns ? nil : 3),
            close: CloseObservation(transportEnd: .notConnected),
            failure: ProbeFailure(stage: stage, kind: kind, detail: detail, atMs: atMs))
    }

    /// A TLS handshake that failed for `reason`.
    static func tlsFailed(_ reason: TLSFailureReason, detail: String? = nil) -> ConnectionTranscript {
        var t = failed(.tls, "tls-failure", detail ?? reason.rawValue)
        t.tls = TLSObservation(verified: false, failure: reason, failureDetail: detail)
        return t
    }
}

// MARK: - Frames

func inbound(_ opcode: String, at: Double, length: Int = 40, preview: String? = nil) -> FrameRecord {
    FrameRecord(direction: .inbound, opcode: opcode, length: length, atMs: at, preview: preview)
}

func outbound(_ opcode: String, at: Double, length: Int = 40, preview: String? = nil) -> FrameRecord {
    FrameRecord(direction: .outbound, opcode: opcode, length: length, atMs: at, preview: preview)
}

/// Our pings every `every` ms from `from` to `to`, each answered after `rtt` ms (unless `answered` is false).
func pingsEvery(_ every: Double, from: Double, to: Double, rtt: Double = 4, answered: Bool = true) -> (
    frames: [FrameRecord], pings: [PingRecord]
) {
    var frames: [FrameRecord] = []
    var pings: [PingRecord] = []
    var t = from
    while t <= to {
        frames.append(outbound("ping", at: t, length: 4))
        if answered { frames.append(inbound("pong", at: t + rtt, length: 4)) }
        pings.append(PingRecord(sentAtMs: t, pongAtMs: answered ? t + rtt : nil))
        t += every
    }
    return (frames, pings)
}

// MARK: - Ending a transcript

extension ConnectionTranscript {
    /// The peer's close frame arrived at `at` and we answered.
    func receivingClose(_ code: Int?, _ reason: String = "", at: Double) -> ConnectionTranscript {
        var t = self
        t.frames.append(inbound("close", at: at, length: 2 + reason.utf8.count))
        t.close = CloseObservation(
            received: CloseFrameInfo(code: code, reason: reason, atMs: at), sent: CloseFrameInfo(code: code, reason: "", atMs: at + 1),
            order: .receivedFirst, transportEnd: .eof, atMs: at + 3)
        t.close.sinceLastInboundMs = 3
        t.close.sinceLastOutboundMs = 2
        return t
    }

    /// We sent a close frame at `at`; `answered` says whether the peer's close came back.
    func sendingClose(
        _ code: Int, _ reason: String = "", at: Double, answered: Bool, end: TransportEnd = .localTimeout, endAt: Double? = nil
    ) -> ConnectionTranscript {
        var t = self
        t.frames.append(outbound("close", at: at, length: 2 + reason.utf8.count))
        let endTime = endAt ?? at + (answered ? 5 : 5000)
        t.close = CloseObservation(
            received: answered ? CloseFrameInfo(code: code, atMs: at + 4) : nil, sent: CloseFrameInfo(code: code, reason: reason, atMs: at),
            order: answered ? .sentFirst : .sentOnly, transportEnd: answered ? .localClose : end, atMs: endTime)
        return t
    }

    /// The transport ended at `at` with no close frame either way; the since-last values are computed from the frames.
    func endingBare(at: Double, _ end: TransportEnd = .eof) -> ConnectionTranscript {
        var t = self
        let open = t.timings.openAtMs ?? 0
        let lastIn = t.frames.filter { $0.direction == .inbound }.map(\.atMs).max() ?? open
        let lastOut = t.frames.filter { $0.direction == .outbound }.map(\.atMs).max() ?? open
        t.close = CloseObservation(transportEnd: end, atMs: at, sinceLastInboundMs: at - lastIn, sinceLastOutboundMs: at - lastOut)
        return t
    }

    /// Adds findings.
    func finding(_ code: FindingCode, _ detail: String = "", atMs: Double? = nil) -> ConnectionTranscript {
        var t = self
        t.findings.append(Finding(code, detail, atMs: atMs))
        return t
    }

    /// A copy aimed at the backend directly.
    var asDirect: ConnectionTranscript {
        var t = self
        t.target = Fixture.directTarget
        return t
    }
}

// MARK: - Running rules alone

/// A context for one rule, built the way the classifier builds it.
func context(
    _ transcript: ConnectionTranscript, direct: ConnectionTranscript? = nil, steps: [ProbeStep] = [],
    measurements: Measurements? = nil, authChannels: [AuthChannelResult]? = nil,
    expectations: ProbeExpectations = ProbeExpectations(), thresholds: ClassifierThresholds = ClassifierThresholds()
) -> ClassificationContext {
    ClassificationContext(
        input: ClassificationInput(
            transcript: transcript, direct: direct, steps: steps, measurements: measurements, authChannels: authChannels,
            expectations: expectations),
        thresholds: thresholds)
}

extension Verdict {
    /// All evidence observations joined, for `contains` checks.
    var evidenceText: String { evidence.map { "[\($0.rule)] \($0.observation)" }.joined(separator: "\n") }
}

/// Paths of checked-in fixture files, relative to this source file.
enum FixturePaths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // WebSocketDiagnosisTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
    static let transcripts = packageRoot.appendingPathComponent("Fixtures/transcripts")
    static let golden = packageRoot.appendingPathComponent("Fixtures/golden")
}
