import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WebSocketDiagnosis
import WebSocketWire

/// One instrumented WebSocket connection. Never throws for anything a peer or the network does:
/// whatever happens is recorded in its ``transcript()``.
///
/// The protocol logic lives in sans-I/O structs (``UpgradeResponseParser``, ``HandshakeValidator``,
/// ``FrameParser``, ``MessageAssembler``, ``CloseFrameBody``) and the connection's decisions (its phase,
/// the close handshake, why the transport ended) in ``WebSocketConnectionStateMachine``, whose actions
/// this actor performs; channel handlers only forward bytes and events here, in order, stamped on a
/// monotonic clock.
///
/// The actor runs on its channel's event loop (its executor is the loop), so reads, frame handling,
/// timers and resumed waits happen on one thread without hops; a caller that prefers the same loop
/// (`withTaskExecutorPreference(EventLoopTaskExecutor(loop))`) pays no hop either.
public actor WebSocketConnection {
    // MARK: - State

    typealias Phase = WebSocketConnectionStateMachine.Phase

    struct Waiter {
        let condition: () -> Bool
        let continuation: CheckedContinuation<Bool, Never>
        var timer: Scheduled<Void>?
    }

    let configuration: ClientConfiguration
    /// The loop the channel and this actor run on.
    nonisolated let eventLoop: any EventLoop
    /// The loop as a serial executor (kept strongly: the actor's executor reference is unowned).
    private nonisolated let loopExecutor: any SerialExecutor

    /// The channel's event loop.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loopExecutor.asUnownedSerialExecutor()
    }
    let start: ContinuousClock.Instant
    var record: ConnectionTranscript
    /// The connection's decisions: phase, close frames each way, why the transport ended.
    var machine = WebSocketConnectionStateMachine()
    /// The machine's phase.
    var phase: Phase { machine.phase }
    var channel: (any Channel)?
    let tally = LockedBox(WireTally())
    let tlsState = LockedBox(TLSVerificationState())
    var request: UpgradeRequest
    var responseParser: UpgradeResponseParser
    var frameParser: FrameParser
    var assembler: MessageAssembler
    var deflateNegotiated = false
    var compressedMessage = false
    var messages = CircularBuffer<MessageAssembler.Message>(initialCapacity: 4)
    /// Payload bytes of the unread ``messages``.
    var unreadBytes = 0
    var unreadDropped = 0
    /// Findings recorded per code, listed or not.
    var findingCounts: [FindingCode: Int] = [:]
    /// Frames in and out (bounded: the first and the most recent, with totals).
    var frameLog = FrameLog()
    /// Channel events that arrived while we were calling into the channel; handled right after, in order.
    var deferredEvents = CircularBuffer<WireEvent>(initialCapacity: 4)
    var drainScheduled = false
    var handlingEvent = false
    var channelCallDepth = 0
    var waiters: [Int: Waiter] = [:]
    var nextWaiterID = 0
    var lastInboundAtMs: Double?
    var lastOutboundAtMs: Double?
    var pendingPings: [[UInt8]: Int] = [:]
    /// The latest inbound ping of the current read, answered once the read's frames are handled.
    var pongDue: [UInt8]?
    /// Start of the current one-second window of inbound pings, and the pings seen in it.
    var pingWindowStartMs: Double = 0
    var pingsInWindow = 0
    var pingFloodReported = false
    var pingCounter: UInt32 = 0
    var answerPings: Bool
    var transportError: TransportErrorKind? { machine.transportError }
    /// What the client certificate offered is (`--cert`), `nil` when none.
    var offeredClientCertificate: String?
    var tcpDoneAtMs: Double?
    var tlsDoneAtMs: Double?
    var rejectedBody: [UInt8] = []
    var rejectedBodyTotal = 0
    var rejectedBodyExpected: Int?
    var rejectedBodyChunked = false
    var rejectedBodyDone = false
    var keepaliveTask: Task<Void, Never>?
    /// The HTTP/2 stream the WebSocket runs over (`--http2`), `nil` over HTTP/1.1.
    let http2: HTTP2Transport?
    var scheduledDrop: Scheduled<Void>?

    /// The subprotocol the server selected, when the connection opened with one.
    public var negotiatedSubprotocol: String? { selectedSubprotocol }
    var selectedSubprotocol: String?

    /// `true` while the connection is open (upgraded, no close frame sent or received, transport up).
    public var isOpen: Bool { phase == .open }

    init(configuration: ClientConfiguration, group: any EventLoopGroup) {
        self.configuration = configuration
        let loop = group.next()
        self.eventLoop = loop
        self.loopExecutor = loop.executor
        self.start = .now
        self.answerPings = configuration.answerPings
        self.http2 = configuration.transport == .http2 ? HTTP2Transport(configuration: configuration) : nil
        self.request = UpgradeRequest(configuration: configuration)
        self.responseParser = UpgradeResponseParser(maxHeadBytes: configuration.maxHandshakeHeadBytes)
        self.frameParser = FrameParser(maxFrameBytes: configuration.maxFrameBytes)
        self.assembler = MessageAssembler(
            maxMessageBytes: configuration.maxMessageBytes, maxFragments: configuration.maxFragmentsPerMessage)
        let url = configuration.url
        let redactor = configuration.redactor
        self.record = ConnectionTranscript(
            target: TargetDescription(
                url: redactor.url(url.description), scheme: url.scheme, host: url.host, port: url.port,
                resource: redactor.url(url.resource)),
            startedAt: Date())
    }

    // MARK: - Public API

    /// Resolves, connects, does TLS and the upgrade, all recorded. Always returns; check ``isOpen``.
    ///
    /// - Parameter eventLoopGroup: the group to run on (default `MultiThreadedEventLoopGroup.singleton`).
    /// - Parameter stop: a run's stop to register with, so that stopping the run aborts this connection
    ///   (default none).
    public static func connect(_ configuration: ClientConfiguration, eventLoopGroup: (any EventLoopGroup)? = nil, stop: RunStop? = nil)
        async -> WebSocketConnection
    {
        let connection = WebSocketConnection(configuration: configuration, group: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton)
        stop?.register(connection)
        await connection.establish()
        // A stop that came while connecting found nothing to cut yet.
        if stop?.isStopped == true { await connection.abort() }
        return connection
    }

    /// Sends a text message as one frame (nothing is sent unless the connection is open).
    public func send(text: String) async {
        guard phase == .open else { return }
        var text = text
        text.withUTF8 { sendFrame(opcode: .text, payload: UnsafeRawBufferPointer($0)) }
    }

    /// Sends a binary message as one frame (nothing is sent unless the connection is open).
    public func send(binary: [UInt8]) async {
        guard phase == .open else { return }
        sendFrame(opcode: .binary, payload: binary)
    }

    /// Sends a ping and waits (bounded) for its pong; returns the RTT in ms, or `nil` on timeout or close.
    ///
    /// - Parameter timeout: the bound (default `timeouts.message`).
    public func ping(timeout: Duration? = nil) async -> Double? {
        guard phase == .open else { return nil }
        pingCounter &+= 1
        let random = UInt32.random(in: .min ... .max)
        let payload = [
            pingCounter >> 24, pingCounter >> 16, pingCounter >> 8, pingCounter, random >> 24, random >> 16, random >> 8, random,
        ].map { UInt8($0 & 0xFF) }
        record.pings.append(PingRecord(sentAtMs: nowMs()))
        let index = record.pings.count - 1
        pendingPings[payload] = index
        _ = sendFrame(opcode: .ping, payload: payload)
        _ = await wait(timeout ?? configuration.timeouts.message) { [self] in
            record.pings[index].pongAtMs != nil || phase == .ended
        }
        if record.pings[index].pongAtMs == nil { pendingPings[payload] = nil }
        return record.pings[index].rttMs
    }

    /// The next complete message (fragments reassembled, pings answered unless withheld).
    ///
    /// - Parameter timeout: the bound (default `timeouts.message`); `.timeout` when it passes with the connection still open.
    public func receive(timeout: Duration? = nil) async -> InboundMessage {
        if let message = popMessage() { return message }
        if phase == .ended { return .closed(record.close) }
        _ = await wait(timeout ?? configuration.timeouts.message) { [self] in
            !messages.isEmpty || phase == .ended || record.close.received != nil
        }
        if let message = popMessage() { return message }
        if record.close.received != nil && phase != .ended {
            _ = await wait(configuration.timeouts.close + .milliseconds(500)) { [self] in phase == .ended }
        }
        if phase == .ended { return .closed(record.close) }
        return .timeout
    }

    /// Starts the close handshake with `code` and `reason` (default 1000, "") and waits (bounded by
    /// `timeouts.close`) for the peer's close and the transport end.
    public func close(code: Int = 1000, reason: String = "") async {
        guard phase != .ended else { return }
        perform(machine.closeRequested(code: code, reason: reason))
        if await wait(configuration.timeouts.close, until: { [self] in phase == .ended }) { return }
        perform(machine.closeTimedOut())
        _ = await wait(.seconds(2)) { [self] in phase == .ended }
    }

    /// Waits (bounded) until the connection ends by itself; returns its close observation, or `nil` if still open.
    public func waitForEnd(timeout: Duration) async -> CloseObservation? {
        _ = await wait(timeout) { [self] in phase == .ended }
        return phase == .ended ? record.close : nil
    }

    /// Drops the transport without a close frame.
    public func abort() async {
        guard phase != .ended else { return }
        dropTransport(.localClose)
        _ = await wait(.seconds(2)) { [self] in phase == .ended }
    }

    /// Stops or resumes answering pings at run time.
    public func setAnswerPings(_ answer: Bool) async {
        answerPings = answer
    }

    /// A snapshot of everything recorded so far (an open connection shows transportEnd `still-open`),
    /// with every text field scrubbed by the configuration's redactor: the one way a transcript leaves
    /// the connection, so nothing a peer echoed back can carry a secret the run knows.
    public func transcript() async -> ConnectionTranscript {
        var snapshot = record
        frameLog.fill(&snapshot)
        let counts = tally.value
        snapshot.wire = WireCounters(bytesIn: counts.bytesIn, bytesOut: counts.bytesOut)
        snapshot.http2 = http2.map { $0.state.value.observation(since: start) }
        if phase != .ended {
            snapshot.close =
                channel == nil ? closeObservation(end: .notConnected, atMs: nil) : closeObservation(end: .stillOpen, atMs: nowMs())
        }
        return snapshot.redacted(by: configuration.redactor)
    }

    // MARK: - Time

    func ms(_ instant: ContinuousClock.Instant) -> Double {
        (instant - start).milliseconds
    }

    func nowMs() -> Double { ms(.now) }

    // MARK: - Waiting

    /// Waits until `condition` holds (re-checked after every event) or `timeout` passes; returns whether it holds.
    func wait(_ timeout: Duration, until condition: @escaping () -> Bool) async -> Bool {
        if condition() { return true }
        let id = nextWaiterID
        nextWaiterID += 1
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            // One timer on the loop (no task): it fires on the actor's own thread.
            let timer = eventLoop.scheduleTask(in: TimeAmount(max(timeout, .zero))) { [weak self] in
                guard let self else { return }
                self.assumeIsolated { $0.expireWaiter(id) }
            }
            waiters[id] = Waiter(condition: condition, continuation: continuation, timer: timer)
        }
    }

    private func expireWaiter(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.continuation.resume(returning: waiter.condition())
    }

    func checkWaiters() {
        guard !waiters.isEmpty else { return }
        for (id, waiter) in waiters where waiter.condition() {
            waiters[id] = nil
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: true)
        }
    }

    // MARK: - Recording helpers

    func addFinding(_ code: FindingCode, _ detail: String, at t: Double?) {
        let count = findingCounts[code, default: 0] + 1
        findingCounts[code] = count
        if count <= configuration.maxFindingsPerCode {
            record.findings.append(Finding(code, configuration.redactor.text(detail), atMs: t))
        } else if count == configuration.maxFindingsPerCode + 1 {
            // A peer that repeats one fault (unsolicited pongs for a minute) must not grow the transcript.
            record.findings.append(
                Finding(
                    .findingsTruncated, "more than \(configuration.maxFindingsPerCode) \(code.rawValue) findings: the rest are not listed",
                    atMs: t))
        }
    }

    /// Records a frame in the bounded log and shows it to the configuration's observer (`-v`).
    func recordFrame(_ frame: FrameRecord, opcode: FrameOpcode) {
        frameLog.append(frame, opcode: opcode)
        configuration.frameObserver?(frame)
    }

    /// Queues a complete message for ``receive(timeout:)``, dropping the oldest unread ones past the bounds.
    func enqueue(_ message: MessageAssembler.Message, at t: Double) {
        // The keepalive a server announces in its own protocol (Engine.IO's open packet) is read from the
        // whole message: the frame's preview is cut before the interval and timeout.
        if record.applicationKeepalive == nil, case .text(let text) = message, text.hasPrefix("0{") {
            record.applicationKeepalive = ApplicationKeepaliveAnnouncement.parse(text, atMs: t)
        }
        messages.append(message)
        unreadBytes += Self.size(of: message)
        while messages.count > configuration.maxUnreadMessages || (unreadBytes > configuration.maxMessageBytes && messages.count > 1) {
            guard let dropped = messages.popFirst() else { break }
            unreadBytes -= Self.size(of: dropped)
            unreadDropped += 1
            if unreadDropped == 1 {
                addFinding(
                    .unreadMessagesDropped,
                    "messages arrived faster than they were read: the oldest unread ones are dropped (at most \(configuration.maxUnreadMessages) kept)",
                    at: t)
            }
        }
    }

    static func size(of message: MessageAssembler.Message) -> Int {
        switch message {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }

    func setFailure(_ stage: ProbeStage, _ kind: ProbeFailureKind, _ detail: String, at t: Double?) {
        guard record.failure == nil else { return }
        record.failure = ProbeFailure(stage: stage, kind: kind, detail: configuration.redactor.text(detail), atMs: t)
    }

    func closeObservation(end: TransportEnd, atMs: Double?) -> CloseObservation {
        var observation = CloseObservation(received: record.close.received, sent: record.close.sent, transportEnd: end, atMs: atMs)
        switch (record.close.received, record.close.sent) {
        case let (received?, sent?): observation.order = received.atMs <= sent.atMs ? .receivedFirst : .sentFirst
        case (.some, nil): observation.order = .receivedOnly
        case (nil, .some): observation.order = .sentOnly
        case (nil, nil): observation.order = .none
        }
        if let atMs, let openAt = record.timings.openAtMs {
            observation.sinceLastInboundMs = max(0, atMs - (lastInboundAtMs ?? openAt))
            observation.sinceLastOutboundMs = max(0, atMs - (lastOutboundAtMs ?? openAt))
        }
        return observation
    }

    private func popMessage() -> InboundMessage? {
        guard let message = messages.popFirst() else { return nil }
        unreadBytes -= Self.size(of: message)
        switch message {
        case .text(let text): return .text(text)
        case .binary(let bytes): return .binary(bytes)
        }
    }
}
