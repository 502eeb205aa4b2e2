import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// Every `FaultProxy` fault and preset not covered by ``FaultProxyInteropTests``, in front of a server
/// no one here wrote (Python `websockets`, `Fixtures/interop/ws_server.py`): what the client observes
/// (status, close frame or its absence, transport end, timing) is the signature of the real-world
/// counterpart in docs/FAILURE_SIGNATURES.md, and the verdict names that cause.
@Suite("Interop: every FaultProxy fault in front of Python websockets")
struct EveryFaultAgainstPythonWebsocketsTests {
    // MARK: - Harness

    /// Runs `body` with a fault proxy carrying `faults` in front of one Python websockets server per
    /// entry of `backends` (its mode), balanced round-robin; everything is stopped afterwards.
    static func withFront(
        _ faults: [String], backends modes: [String] = ["echo"], _ body: (FaultProxy, [PeerProcess]) async throws -> Void
    ) async throws {
        var backends: [PeerProcess] = []
        do {
            for mode in modes { backends.append(try await InteropPeers.websocketsServer(mode)) }
            let specs = try faults.map { try FaultSpec(parsing: $0) }
            let proxy = try await FaultProxy.start(
                ProxyConfiguration(upstreams: backends.map { ProxyUpstream(host: "127.0.0.1", port: $0.port) }, faults: specs))
            do {
                try await body(proxy, backends)
                await proxy.shutdown()
            } catch {
                await proxy.shutdown()
                throw error
            }
        } catch {
            for backend in backends { await backend.stop() }
            throw error
        }
        for backend in backends { await backend.stop() }
    }

    /// The backend's own URL (the `--direct` path).
    static func direct(_ backend: PeerProcess) -> String { "ws://127.0.0.1:\(backend.port)/" }

    /// The backend's own URL as a `ProbePlan.direct` value.
    static func directURL(_ backend: PeerProcess) throws -> WebSocketURL { try WebSocketURL(parsing: direct(backend)) }

    /// Opens a client connection to `url` with the short bounds, adjusted by `configure`.
    static func open(_ url: String, _ configure: (inout ClientConfiguration) -> Void = { _ in }) async throws -> WebSocketConnection {
        var configuration = try Probe.configuration(url)
        configure(&configuration)
        let connection = await TestConnections.connect(configuration)
        let t = await connection.transcript()
        #expect(
            await connection.isOpen,
            "could not open \(url): \(t.handshake?.status.map(String.init) ?? "no status") \(t.failure.map { "\($0.kind): \($0.detail)" } ?? "")"
        )
        return connection
    }

    /// Milliseconds of a duration.
    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

    /// The median of non-empty samples.
    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// A verdict for failure messages.
    static func describe(_ verdict: Verdict) -> Comment {
        Comment(
            rawValue:
                "\(verdict.cause) (\(verdict.layer.rawValue)): \(verdict.summary) \(verdict.evidence.map { "[\($0.rule)] \($0.observation)" })"
        )
    }

    // MARK: - Byte stream: latency, bandwidth, slicer

    @Test(
        "latency adds its delay each way to the ping round trip, with jitter inside delay ± jitter; websockets stays healthy",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: [(delay: 250.0, jitter: 0.0), (delay: 200.0, jitter: 100.0)])
    func latency(delay: Double, jitter: Double) async throws {
        let spec = "latency:delay=\(Int(delay))ms,jitter=\(Int(jitter))ms"
        try await Self.withFront([spec]) { proxy, backends in
            let front = try await Self.open(proxy.url())
            var rtts: [Double] = []
            for _ in 0..<8 { if let rtt = await front.ping(timeout: .seconds(4)) { rtts.append(rtt) } }
            let t = await TestConnections.close(front)
            let straight = try await Self.open(Self.direct(backends[0]))
            var directRTTs: [Double] = []
            for _ in 0..<3 { if let rtt = await straight.ping(timeout: .seconds(4)) { directRTTs.append(rtt) } }
            _ = await TestConnections.close(straight)

            try #require(rtts.count == 8, "every ping through the latency front got its pong: \(rtts)")
            try #require(!directRTTs.isEmpty)
            // Both directions are delayed (the default direction is both): RTT ≈ 2 × delay.
            let low = 2 * (delay - jitter) - 5
            let high = 2 * (delay + jitter) + 600
            #expect(rtts.allSatisfy { $0 >= low && $0 <= high }, "RTTs \(rtts) outside [\(low), \(high)] ms for \(spec)")
            #expect(Self.median(directRTTs) < low, "direct RTT \(directRTTs) must stay below the added delay")
            if jitter > 0 {
                #expect((rtts.max() ?? 0) - (rtts.min() ?? 0) >= 10, "jitter spreads the RTTs: \(rtts)")
            } else {
                #expect(Self.median(rtts) < 2 * delay + 300, "RTT ≈ 2 × \(delay) ms: \(rtts)")
            }
            #expect(t.close.received?.code == 1000, "the close handshake still completes: \(Probe.describe(t.close))")
        }
    }

    @Test(
        "latency alone is not a failure: the probe through it is healthy",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func latencyIsHealthy() async throws {
        try await Self.withFront(["latency:delay=200ms"]) { proxy, backends in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.profile = .echo
                $0.direct = try Self.directURL(backends[0])
            }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
            let pong = try #require(report.transcript.pings.first?.rttMs, Probe.describe(report))
            #expect(pong >= 395, "the probe's ping saw the 2 × 200 ms: \(pong)")
        }
    }

    @Test(
        "bandwidth makes a 100 kB echo take about size/rate and arrive intact",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func bandwidth() async throws {
        try await Self.withFront(["bandwidth:rate=100000,direction=downstream"]) { proxy, backends in
            let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            func echo(_ url: String) async throws -> (Double, Bool) {
                let c = try await Self.open(url)
                let start = ContinuousClock.now
                await c.send(binary: payload)
                let reply = await c.receive(timeout: .seconds(8))
                let elapsed = Self.ms(ContinuousClock.now - start)
                _ = await TestConnections.close(c)
                if case .binary(let bytes) = reply { return (elapsed, bytes == payload) }
                return (elapsed, false)
            }
            let (front, frontIntact) = try await echo(proxy.url())
            let (straight, directIntact) = try await echo(Self.direct(backends[0]))
            #expect(frontIntact && directIntact, "the 100 kB message came back intact both ways")
            // 100 000 B at 100 000 B/s ≈ 1 s (the echo's frame header adds 10 bytes).
            #expect(front >= 850 && front <= 3500, "echo through a 100 kB/s link took \(front) ms; expected ≈ 1 s")
            #expect(straight < 600, "direct echo took \(straight) ms")
        }
    }

    @Test(
        "slicer cuts frames into 64-byte pieces with pauses, and websockets still reassembles the message intact",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func slicer() async throws {
        try await Self.withFront(["slicer:size=64,delay=5ms"]) { proxy, backends in
            let text = String((0..<4096).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let c = try await Self.open(proxy.url())
            let start = ContinuousClock.now
            await c.send(text: text)
            let reply = await c.receive(timeout: .seconds(8))
            let elapsed = Self.ms(ContinuousClock.now - start)
            let t = await TestConnections.close(c)
            #expect(reply == .text(text), "the sliced 4 kB message came back intact")
            // ≥ 64 pieces each way with 5 ms between them: ≥ 2 × 63 × 5 ms.
            #expect(elapsed >= 550 && elapsed < 6000, "echo through the slicer took \(elapsed) ms; expected ≥ 630 ms")
            #expect(t.findings.isEmpty, "no protocol finding from the reassembled frames: \(t.findings)")
            #expect(t.close.received?.code == 1000, Probe.describe(t.close))

            let report = try await Probe.diagnose(proxy.url()) {
                $0.profile = .echo
                $0.direct = try Self.directURL(backends[0])
            }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
        }
    }

    // MARK: - Transport ends: reset-peer, limit-data, slow-close, blackhole

    @Test(
        "reset-peer resets the connection 500 ms after the upgrade under traffic: no close frame, transport reset",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func resetPeer() async throws {
        try await Self.withFront(["reset-peer:after=500ms"]) { proxy, backends in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.sustain = .seconds(3)
                $0.trafficInterval = .milliseconds(250)
                $0.direct = try Self.directURL(backends[0])
            }
            let close = report.transcript.close
            #expect(report.transcript.handshake?.status == 101)
            #expect(close.received == nil, "a reset carries no close frame: \(Probe.describe(close))")
            #expect(close.transportEnd == .reset, Probe.describe(close))
            #expect(close.effectiveCode == 1006)
            // The proxy starts its 500 ms when it forwards the 101: after our request left, before we read the
            // 101 — on a busy machine that read can come a few hundred ms later. So the reset comes at least
            // 500 ms after the request (the configured time, less 5 ms of timer rounding), and soon after the open.
            let timings = report.transcript.timings
            let sinceRequest = (close.atMs ?? 0) - (timings.requestWrittenAtMs ?? 0)
            let lived = (close.atMs ?? 0) - (timings.openAtMs ?? 0)
            #expect(sinceRequest >= 495, "reset \(sinceRequest) ms after the upgrade request; configured 500 ms")
            #expect(lived < 1800, "reset \(lived) ms after open; expected ≈ 500 ms")
            #expect(report.directTranscript?.close.transportEnd != .reset, "direct, websockets never resets")
            #expect(report.verdict.cause == "infrastructure.connection-dropped", Probe.describe(report))
        }
    }

    @Test(
        "limit-data forwards exactly 1000 bytes upstream, then ends the connection with no close frame",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func limitDataCount() async throws {
        try await Self.withFront(["limit-data:bytes=1000,direction=upstream"]) { proxy, _ in
            let c = try await Self.open(proxy.url())
            let message = String(repeating: "m", count: 100)  // 106 bytes on the wire (2 header + 4 mask)
            var echoes = 0
            var end: CloseObservation?
            for _ in 0..<20 {
                await c.send(text: message)
                let reply = await c.receive(timeout: .seconds(4))
                if case .text(let text) = reply, text == message {
                    echoes += 1
                    continue
                }
                if case .closed(let close) = reply { end = close }
                break
            }
            let t = await TestConnections.transcript(of: c)
            #expect(echoes == 9, "floor(1000 / 106) = 9 messages get through before the cap: \(echoes)")
            let close = try #require(end, "the connection ended at the cap: \(Probe.describe(t.close))")
            #expect(close.received == nil, "a transfer cap sends no close frame: \(Probe.describe(close))")
            #expect(close.transportEnd == .eof || close.transportEnd == .reset, Probe.describe(close))
            #expect(close.effectiveCode == 1006)
        }
    }

    @Test(
        "limit-data cutting the probe's echo only through the front: infrastructure connection-dropped",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func limitDataVerdict() async throws {
        try await Self.withFront(["limit-data:bytes=30,direction=upstream"]) { proxy, backends in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.profile = .echo
                $0.direct = try Self.directURL(backends[0])
            }
            #expect(report.transcript.close.received == nil, Probe.describe(report.transcript.close))
            #expect(report.transcript.close.effectiveCode == 1006, Probe.describe(report.transcript.close))
            #expect(report.directTranscript?.close.received?.code == 1000, "direct, the echo and the close work")
            #expect(report.verdict.cause == "infrastructure.connection-dropped", Probe.describe(report))
        }
    }

    @Test(
        "slow-close holds the server's TCP close 1.5 s after the close handshake; direct it follows at once",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func slowClose() async throws {
        try await Self.withFront(["slow-close:delay=1500ms"]) { proxy, backends in
            func closeWait(_ url: String) async throws -> (Double, CloseObservation) {
                let c = try await Self.open(url)
                await c.send(text: "hello")
                _ = await c.receive(timeout: .seconds(4))
                let t = await TestConnections.close(c)
                let received = t.close.received?.atMs ?? .infinity
                return ((t.close.atMs ?? 0) - received, t.close)
            }
            let (front, frontClose) = try await closeWait(proxy.url())
            let (straight, directClose) = try await closeWait(Self.direct(backends[0]))
            #expect(frontClose.received?.code == 1000, "the close frame itself passes at once: \(Probe.describe(frontClose))")
            #expect(frontClose.transportEnd == .eof, "the held FIN does arrive: \(Probe.describe(frontClose))")
            // The hold runs from the upstream's FIN; the close frame before it can be forwarded late on a busy
            // machine, which shortens what the client measures. Direct, the end follows within 700 ms.
            #expect(front >= 1000 && front < 3000, "TCP end \(front) ms after the close frame; expected ≈ 1.5 s")
            #expect(straight < 700, "direct, TCP ends \(straight) ms after the close frame: \(Probe.describe(directClose))")
        }
    }

    @Test(
        "blackhole downstream: our pings get no pong, our keepalive sends 1011 and hears nothing: client keepalive-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func blackhole() async throws {
        try await Self.withFront(["blackhole"]) { proxy, _ in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.keepalive = ClientConfiguration.Keepalive(interval: .milliseconds(500), timeout: .seconds(1))
            }
            let close = report.transcript.close
            #expect(report.transcript.handshake?.status == 101, "the upgrade passes; only the tunnel is blackholed")
            #expect(close.sent?.code == 1011, "our keepalive gave up with 1011: \(Probe.describe(close))")
            #expect(close.received == nil, "nothing comes back through a blackhole: \(Probe.describe(close))")
            #expect(report.transcript.pings.allSatisfy { $0.pongAtMs == nil }, "no pong ever arrived")
            #expect(report.verdict.cause == "client.keepalive-timeout", Probe.describe(report))
        }
    }

    // MARK: - Handshake: strip-header, reject-upgrade, delay-upgrade, capacity

    @Test(
        "strip-header Sec-WebSocket-Protocol: websockets requiring chat.v1 refuses the upgrade only through the front",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func stripSubprotocol() async throws {
        try await Self.withFront(["strip-header:name=Sec-WebSocket-Protocol"], backends: ["subprotocol"]) { proxy, backends in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.subprotocols = ["chat.v1"]
                $0.direct = try Self.directURL(backends[0])
            }
            let h = report.transcript.handshake
            #expect(h?.status == 400, "websockets refuses a missing subprotocol: \(Probe.describe(report))")
            #expect(h?.bodyPreview?.lowercased().contains("subprotocol") == true, "websockets' own reason: \(h?.bodyPreview ?? "")")
            #expect(report.directTranscript?.handshake?.status == 101)
            #expect(report.directTranscript?.handshake?.subprotocol == "chat.v1", "direct, the offer reaches websockets")
            #expect(report.verdict.layer == .infrastructure, "only through the front: not the application; \(Probe.describe(report))")
            // A 400 whose body names the subprotocol we offered, while direct accepts it: the header was stripped.
            #expect(report.verdict.cause == "infrastructure.header-stripped", Probe.describe(report))
        }
    }

    @Test(
        "reject-upgrade answers for the front while websockets is healthy direct: infrastructure upgrade-rejected",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: [403, 429, 502, 503, 504])
    func rejectUpgrade(status: Int) async throws {
        try await Self.withFront(["reject-upgrade:status=\(status)"]) { proxy, backends in
            let report = try await Probe.diagnose(proxy.url()) { $0.direct = try Self.directURL(backends[0]) }
            let h = report.transcript.handshake
            #expect(h?.status == status, Probe.describe(report))
            #expect(h?.bodyPreview?.contains("Failed to open a WebSocket connection") != true, "the front answered, not websockets")
            #expect(report.directTranscript?.handshake?.status == 101)
            #expect(report.verdict.cause == "infrastructure.upgrade-rejected", Probe.describe(report))
            #expect(report.verdict.layer == .infrastructure)
        }
    }

    @Test(
        "delay-upgrade 1 s shows as upgrade latency; a shorter client upgrade bound times out: infrastructure upgrade-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func delayUpgrade() async throws {
        try await Self.withFront(["delay-upgrade:for=1s"]) { proxy, backends in
            let slow = try await Probe.diagnose(proxy.url()) { $0.direct = try Self.directURL(backends[0]) }
            let upgrade = try #require(slow.transcript.timings.upgradeMs, Probe.describe(slow))
            #expect(upgrade >= 950 && upgrade < 3000, "upgrade took \(upgrade) ms through a 1 s cold start")
            // The latency is the front's: the direct upgrade (same backend, same machine, same load) is at least
            // half the cold start shorter.
            let directUpgrade = try #require(slow.directTranscript?.timings.upgradeMs)
            #expect(directUpgrade < upgrade - 500, "direct upgrade \(directUpgrade) ms, through the front \(upgrade) ms")
            #expect(slow.verdict.cause == "healthy", "a slow but successful upgrade is no failure: \(Probe.describe(slow))")

            let cut = try await Probe.diagnose(proxy.url()) {
                $0.timeouts.upgrade = .milliseconds(400)
                $0.direct = try Self.directURL(backends[0])
            }
            #expect(cut.transcript.handshake?.status == nil, "no HTTP answer within 400 ms: \(Probe.describe(cut))")
            #expect(cut.transcript.failure?.stage == .upgrade, Probe.describe(cut))
            #expect(cut.directTranscript?.handshake?.status == 101)
            #expect(cut.verdict.cause == "infrastructure.upgrade-timeout", Probe.describe(cut))
        }
    }

    @Test(
        "capacity max=1: a second concurrent upgrade gets 429 from the front, a later one passes again",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func capacity() async throws {
        try await Self.withFront(["capacity:max=1"]) { proxy, backends in
            let first = try await Self.open(proxy.url())
            let report = try await Probe.diagnose(proxy.url()) { $0.direct = try Self.directURL(backends[0]) }
            #expect(report.transcript.handshake?.status == 429, Probe.describe(report))
            #expect(report.directTranscript?.handshake?.status == 101)
            #expect(report.verdict.cause == "infrastructure.upgrade-rejected", Probe.describe(report))
            #expect(await first.ping(timeout: .seconds(3)) != nil, "the first connection is unaffected")
            _ = await TestConnections.close(first)

            // The slot is free again once the first connection is gone (the proxy sees its end).
            var reopened = false
            let deadline = ContinuousClock.now + .seconds(3)
            while !reopened, ContinuousClock.now < deadline {
                let c = await TestConnections.connect(try Probe.configuration(proxy.url()))
                reopened = await c.isOpen
                _ = await TestConnections.close(c)
                if !reopened { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(reopened, "after the first connection closed, a new upgrade passes")
        }
    }

    // MARK: - Frames: rewrite-close, drop-pongs, drop-pings, corrupt-frame, drop-messages

    @Test(
        "rewrite-close changes the code websockets sent and keeps its reason",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: [
            (mode: "raise", spec: "rewrite-close:from=1011,to=1000", direct: 1011, front: 1000),
            (mode: "goodbye", spec: "rewrite-close:from=1000,to=1011", direct: 1000, front: 1011),
        ])
    func rewriteClose(mode: String, spec: String, direct: Int, front: Int) async throws {
        try await Self.withFront([spec], backends: [mode]) { proxy, backends in
            func closeCode(_ url: String) async throws -> CloseObservation? {
                let c = try await Self.open(url)
                await c.send(text: "trigger")
                let end = await c.waitForEnd(timeout: .seconds(5))
                _ = await TestConnections.close(c)
                return end
            }
            let straight = try #require(try await closeCode(Self.direct(backends[0])), "websockets closed direct")
            let through = try #require(try await closeCode(proxy.url()), "websockets closed through the front")
            #expect(straight.received?.code == direct, Probe.describe(straight))
            #expect(through.received?.code == front, Probe.describe(through))
            #expect(through.received?.reason == straight.received?.reason, "the reason is kept")
            #expect(
                through.order == .receivedFirst || through.order == .receivedOnly,
                "the server still closed first: \(Probe.describe(through))")
        }
    }

    @Test(
        "rewrite-close 1000 → 1011 on websockets' answer to our close: a 1011 only through the front is integration, not the application",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func rewriteCloseVerdict() async throws {
        try await Self.withFront(["rewrite-close:from=1000,to=1011"]) { proxy, backends in
            let alone = try await Probe.diagnose(proxy.url()) { $0.profile = .echo }
            #expect(alone.transcript.close.sent?.code == 1000, Probe.describe(alone.transcript.close))
            #expect(alone.transcript.close.received?.code == 1011, Probe.describe(alone.transcript.close))
            #expect(
                alone.verdict.cause == "application.internal-error-close",
                "without --direct a 1011 looks like the app: \(Probe.describe(alone))")
            let compared = try await Probe.diagnose(proxy.url()) {
                $0.profile = .echo
                $0.direct = try Self.directURL(backends[0])
            }
            #expect(compared.directTranscript?.close.received?.code == 1000)
            #expect(compared.verdict.cause == "integration.app-failure-behind-front", Probe.describe(compared))
        }
    }

    @Test(
        "drop-pongs upstream: websockets' keepalive (1 s / 1 s) gets none of our pongs and gives up: application keepalive-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func dropPongs() async throws {
        try await Self.withFront(["drop-pongs:direction=upstream"], backends: ["keepalive"]) { proxy, _ in
            let c = try await Self.open(proxy.url())
            let end = await c.waitForEnd(timeout: .seconds(8))
            let t = await TestConnections.transcript(of: c)
            #expect(end != nil, "websockets kept the connection although our pongs were dropped: \(Probe.describe(t.close))")
            #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "ping" }, "websockets pinged")
            #expect(t.frames.contains { $0.direction == .outbound && $0.opcode == "pong" }, "we did answer — the front dropped the pongs")
            if let received = t.close.received {
                #expect(received.code == 1011 && received.reason.lowercased().contains("keepalive ping timeout"), Probe.describe(t.close))
            } else {
                #expect(t.close.transportEnd != .stillOpen, Probe.describe(t.close))
            }
            let lived = (t.close.atMs ?? 0) - (t.timings.openAtMs ?? 0)
            #expect(lived > 1500 && lived < 6000, "ended \(lived) ms after open; expected ≈ 2 s (interval + timeout)")
            let verdict = Probe.classify(t, profile: "plain")
            #expect(verdict.cause == "application.keepalive-timeout", Self.describe(verdict))
        }
    }

    @Test(
        "drop-pings downstream: websockets' pings never reach us, so no pong goes back and it gives up: application keepalive-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func dropPingsDownstream() async throws {
        try await Self.withFront(["drop-pings:direction=downstream"], backends: ["keepalive"]) { proxy, _ in
            let c = try await Self.open(proxy.url())
            let end = await c.waitForEnd(timeout: .seconds(8))
            let t = await TestConnections.transcript(of: c)
            #expect(end != nil, "websockets kept the connection although its pings were dropped: \(Probe.describe(t.close))")
            #expect(!t.frames.contains { $0.direction == .inbound && $0.opcode == "ping" }, "no ping reached us")
            #expect(t.close.received?.code == 1011, "websockets' 1011 passes the front: \(Probe.describe(t.close))")
            #expect(t.close.received?.reason.lowercased().contains("keepalive ping timeout") == true, Probe.describe(t.close))
            let verdict = Probe.classify(t, profile: "plain")
            #expect(verdict.cause == "application.keepalive-timeout", Self.describe(verdict))
        }
    }

    @Test(
        "drop-pings upstream: our keepalive's pings never reach websockets, we send 1011 and hear nothing back: client keepalive-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func dropPingsUpstream() async throws {
        try await Self.withFront(["drop-pings:direction=upstream"]) { proxy, _ in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.keepalive = ClientConfiguration.Keepalive(interval: .milliseconds(500), timeout: .seconds(1))
            }
            let close = report.transcript.close
            #expect(close.sent?.code == 1011, "our keepalive gave up: \(Probe.describe(close))")
            #expect(report.transcript.pings.allSatisfy { $0.pongAtMs == nil }, "no ping of ours got a pong")
            #expect(report.verdict.cause == "client.keepalive-timeout", Probe.describe(report))
        }
    }

    @Test(
        "corrupt-frame sets an RSV bit on our message: websockets fails the connection with 1002: application protocol-error",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: ["1", "2", "3"])
    func corruptFrame(rsv: String) async throws {
        try await Self.withFront(["corrupt-frame:rsv=\(rsv),direction=upstream"]) { proxy, _ in
            let report = try await Probe.diagnose(proxy.url()) { $0.profile = .echo }
            let close = report.transcript.close
            #expect(report.transcript.handshake?.status == 101)
            #expect(close.received?.code == 1002, "websockets answers a reserved bit with 1002: \(Probe.describe(close))")
            #expect(close.order == .receivedFirst || close.order == .receivedOnly, Probe.describe(close))
            #expect(report.verdict.cause == "application.protocol-error", Probe.describe(report))
        }
    }

    @Test(
        "drop-messages: the echo never comes back while pings still do; direct it does: infrastructure messages-dropped",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func dropMessages() async throws {
        try await Self.withFront(["drop-messages"]) { proxy, backends in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.profile = .echo
                $0.timeouts.message = .seconds(2)
                $0.direct = try Self.directURL(backends[0])
            }
            let t = report.transcript
            #expect(
                !t.frames.contains { $0.direction == .inbound && ($0.opcode == "text" || $0.opcode == "binary") }, "no data frame came back"
            )
            #expect(t.pings.contains { $0.pongAtMs != nil }, "control frames still pass")
            #expect(report.steps.contains { $0.name == .messages && $0.status == .failed }, Probe.describe(report))
            #expect(report.directSteps?.contains { $0.name == .messages && $0.status == .passed } == true, "direct, the echo works")
            #expect(report.verdict.cause != "healthy", Probe.describe(report))
            // The echo is lost only through the front while pings pass: the front drops messages.
            #expect(report.verdict.cause == "infrastructure.messages-dropped", Probe.describe(report))
        }
    }

    // MARK: - Instances: drain-instance

    @Test(
        "drain-instance ends every connection of one of two websockets instances (FIN → 1006, or 1001) and spares the other",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: ["fin", "1001"])
    func drainInstance(mode: String) async throws {
        try await Self.withFront([], backends: ["echo", "echo"]) { proxy, _ in
            let a = try await Self.open(proxy.url())
            let b = try await Self.open(proxy.url())
            #expect(await a.ping(timeout: .seconds(3)) != nil, "connection a is up")
            #expect(await b.ping(timeout: .seconds(3)) != nil, "connection b is up")
            try proxy.addFault(try FaultSpec(parsing: "drain-instance:instance=0,mode=\(mode)"))
            let endA = await a.waitForEnd(timeout: .seconds(3))
            let endB = await b.waitForEnd(timeout: .milliseconds(500))
            let ended = [endA, endB].compactMap { $0 }
            try #require(
                ended.count == 1,
                "exactly one of the two connections (one per instance) ends: a \(endA.map(Probe.describe) ?? "open"), b \(endB.map(Probe.describe) ?? "open")"
            )
            let close = ended[0]
            if mode == "fin" {
                #expect(close.received == nil, "a killed instance sends no close frame: \(Probe.describe(close))")
                #expect(close.transportEnd == .eof, Probe.describe(close))
                #expect(close.effectiveCode == 1006)
                let t = await TestConnections.transcript(of: endA == nil ? b : a)
                let verdict = Probe.classify(t, profile: "plain")
                #expect(
                    verdict.cause == "infrastructure.connection-dropped", "a bare end with no timing pattern: \(Self.describe(verdict))")
            } else {
                #expect(close.received?.code == 1001, "a graceful drain sends 1001: \(Probe.describe(close))")
            }
            let survivor = endA == nil ? a : b
            await survivor.send(text: "still here")
            #expect(await survivor.receive(timeout: .seconds(3)) == .text("still here"), "the other instance's connection still echoes")
            _ = await TestConnections.close(survivor)
            let fresh = try await Self.open(proxy.url())
            #expect(await fresh.ping(timeout: .seconds(3)) != nil, "new connections go to the remaining instance")
            _ = await TestConnections.close(fresh)
        }
    }

    // MARK: - Presets

    @Test(
        "presets with a 2 s timeout: cloud-run and gcp-lb cap the lifetime, nginx-default and aws-alb reap idle connections",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: [
            (preset: "cloud-run", cause: "infrastructure.lifetime-cap"),
            (preset: "gcp-lb", cause: "infrastructure.lifetime-cap"),
            (preset: "nginx-default", cause: "infrastructure.idle-timeout"),
            (preset: "aws-alb", cause: "infrastructure.idle-timeout"),
        ])
    func preset(preset: String, cause: String) async throws {
        try await Self.withFront(["\(preset):timeout=2s"]) { proxy, _ in
            let report = try await Probe.diagnose(proxy.url()) {
                $0.idleProbe = .seconds(4)
                $0.lifetimeProbe = .seconds(4)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements, Probe.describe(report))
            if cause == "infrastructure.lifetime-cap" {
                let life = try #require(m.lifetimeMs, Probe.describe(report))
                // The cap runs from the front's accept, the measurement from the open: a slow upgrade (a busy
                // machine) shortens the measured life by the upgrade's time, so the start is taken back to the connect.
                let sinceConnect = life + (m.lifetimeTranscript?.timings.responseHeadAtMs ?? 0)
                #expect(
                    sinceConnect > 1800 && life < 3000,
                    "\(preset): cut \(life) ms after open (\(sinceConnect) ms after the connect) despite pings; expected ≈ 2 s")
                #expect(m.lifetimeTranscript?.close.received == nil, "no close frame from a lifetime cap")
            } else {
                let idle = try #require(m.idleTimeoutMs, Probe.describe(report))
                #expect(idle > 1700 && idle < 3000, "\(preset): cut after \(idle) ms of silence; expected ≈ 2 s")
                #expect(m.lifetimeMs == nil, "pings keep an idle-timeout front alive: \(Probe.describe(report))")
            }
            #expect(report.verdict.cause.rawValue == cause, Probe.describe(report))
        }
    }
}
