import Metrics
import Prometheus

/// The proxy's counters, in a Prometheus registry owned by one proxy (the global
/// `MetricsSystem` is left alone).
final class ProxyMetrics: Sendable {
    /// Who ended a connection.
    enum EndedBy: String { case client, upstream, proxy }

    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let open: Metrics.Meter
    private let total: Metrics.Counter
    private let bytesUp: Metrics.Counter
    private let bytesDown: Metrics.Counter
    private let framesUp: [Metrics.Counter]
    private let framesDown: [Metrics.Counter]

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        self.factory = factory
        open = Meter(label: "ws1011_proxy_connections_open", factory: factory)
        total = Metrics.Counter(label: "ws1011_proxy_connections_total", factory: factory)
        func bytesCounter(_ direction: FaultDirection) -> Metrics.Counter {
            Metrics.Counter(label: "ws1011_proxy_bytes_total", dimensions: [("direction", direction.rawValue)], factory: factory)
        }
        func frameCounters(_ direction: FaultDirection) -> [Metrics.Counter] {
            (0..<16).map { opcode in
                let name = FrameHeader(opcode: UInt8(opcode), payloadLength: 0).opcodeName
                return Metrics.Counter(label: "ws1011_proxy_frames_total", dimensions: [("direction", direction.rawValue), ("opcode", name)], factory: factory)
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
        Metrics.Counter(label: "ws1011_proxy_connection_ends_total", dimensions: [("by", by.rawValue)], factory: factory).increment()
    }

    func upgrade(status: Int) {
        Metrics.Counter(label: "ws1011_proxy_upgrades_total", dimensions: [("status", String(status))], factory: factory).increment()
    }

    func bytes(_ count: Int, _ direction: FaultDirection) {
        (direction == .upstream ? bytesUp : bytesDown).increment(by: Int64(count))
    }

    func frame(opcode: UInt8, _ direction: FaultDirection) {
        (direction == .upstream ? framesUp : framesDown)[Int(opcode & 0xF)].increment()
    }

    func closeFrame(code: Int?, _ direction: FaultDirection) {
        Metrics.Counter(
            label: "ws1011_proxy_close_frames_total",
            dimensions: [("direction", direction.rawValue), ("code", Self.codeLabel(code))], factory: factory
        ).increment()
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
