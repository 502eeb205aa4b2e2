import Prometheus
import WebSocketWire

/// The proxy's counters, in a Prometheus registry owned by one proxy (the global
/// `MetricsSystem` is left alone). Every family carries `# HELP` and `# TYPE`, so `promtool check metrics`
/// accepts the exposition.
final class ProxyMetrics: Sendable {
    /// The `# HELP` text of each family (one text per name: the registry requires it).
    enum Help {
        static let open = "WebSocket connections open through the proxy now."
        static let total = "WebSocket connections the proxy accepted."
        static let ends = "Connections ended, by who ended them (client, upstream, proxy)."
        static let upgrades = "Upgrade responses relayed to clients, by HTTP status."
        static let bytes = "Bytes relayed, by direction (upstream: client to backend; downstream: backend to client)."
        static let frames = "WebSocket frames relayed, by direction and opcode."
        static let closeFrames = "Close frames relayed, by direction and close code (registered codes as themselves, others by range)."
        static let h2Streams = "Streams the HTTP/2 front (--http2) accepted, by kind: websocket (an extended CONNECT, RFC 8441) or request."
        static let h2Answers =
            "How the HTTP/2 front answered extended CONNECTs: the :status it sent (200: the WebSocket is open), or reset when it reset the stream instead."
    }

    /// Who ended a connection.
    enum EndedBy: String { case client, upstream, proxy }

    let registry: PrometheusCollectorRegistry
    private let open: Gauge
    private let total: Counter
    private let bytesUp: Counter
    private let bytesDown: Counter
    private let framesUp: [Counter]
    private let framesDown: [Counter]

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        open = registry.makeGauge(descriptor: Self.family("ws1011_proxy_connections_open", Help.open), labels: [])
        total = registry.makeCounter(descriptor: Self.family("ws1011_proxy_connections_total", Help.total), labels: [])
        func bytesCounter(_ direction: FaultDirection) -> Counter {
            registry.makeCounter(
                descriptor: Self.family("ws1011_proxy_bytes_total", Help.bytes), labels: [("direction", direction.rawValue)])
        }
        func frameCounters(_ direction: FaultDirection) -> [Counter] {
            (0..<16).map { opcode in
                let name = FrameOpcode(rawValue: UInt8(opcode)).name
                return registry.makeCounter(
                    descriptor: Self.family("ws1011_proxy_frames_total", Help.frames),
                    labels: [("direction", direction.rawValue), ("opcode", name)])
            }
        }
        bytesUp = bytesCounter(.upstream)
        bytesDown = bytesCounter(.downstream)
        framesUp = frameCounters(.upstream)
        framesDown = frameCounters(.downstream)
    }

    func connectionOpened() {
        open.increment()
        total.increment()
    }

    func connectionClosed(by: EndedBy) {
        open.decrement()
        registry.makeCounter(descriptor: Self.family("ws1011_proxy_connection_ends_total", Help.ends), labels: [("by", by.rawValue)])
            .increment()
    }

    func upgrade(status: Int) {
        registry.makeCounter(descriptor: Self.family("ws1011_proxy_upgrades_total", Help.upgrades), labels: [("status", String(status))])
            .increment()
    }

    func bytes(_ count: Int, _ direction: FaultDirection) {
        (direction == .upstream ? bytesUp : bytesDown).increment(by: Int64(count))
    }

    func frame(opcode: FrameOpcode, _ direction: FaultDirection) {
        (direction == .upstream ? framesUp : framesDown)[Int(opcode.rawValue)].increment()
    }

    func closeFrame(code: Int?, _ direction: FaultDirection) {
        registry.makeCounter(
            descriptor: Self.family("ws1011_proxy_close_frames_total", Help.closeFrames),
            labels: [("direction", direction.rawValue), ("code", Self.codeLabel(code))]
        ).increment()
    }

    /// A stream the HTTP/2 front accepted (its families appear once a stream came, so an HTTP/1.1-only proxy's
    /// exposition is unchanged).
    func h2Stream(webSocket: Bool) {
        registry.makeCounter(
            descriptor: Self.family("ws1011_proxy_h2_streams_total", Help.h2Streams),
            labels: [("kind", webSocket ? "websocket" : "request")]
        )
        .increment()
    }

    /// The HTTP/2 front's answer to an extended CONNECT: the `:status` it sent, or nil when it reset the stream instead.
    func h2WebSocketAnswer(status: Int?) {
        registry.makeCounter(
            descriptor: Self.family("ws1011_proxy_h2_websocket_answers_total", Help.h2Answers),
            labels: [("answer", status.map { String($0) } ?? "reset")]
        ).increment()
    }

    /// A family's name and `# HELP` text, as the registry takes them.
    static func family(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// A bounded label for a close code a peer sent: the registered codes as themselves, the rest by range,
    /// so a peer cannot create a metric series per arbitrary number.
    static func codeLabel(_ code: Int?) -> String {
        guard let code else { return "none" }
        switch code {
        case 1000...1015: return String(code)
        case 3000..<4000: return "3xxx"
        case 4000..<5000: return "4xxx"
        default: return "invalid"
        }
    }

    /// The Prometheus text exposition.
    func render() -> String { registry.emitToString() }
}
