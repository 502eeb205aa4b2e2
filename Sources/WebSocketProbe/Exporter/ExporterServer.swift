import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import WebSocketDiagnosis

/// `ws1011 exporter`: a multi-target Prometheus exporter in the blackbox_exporter pattern.
///
/// - `GET /probe?target=wss://…&module=NAME[&debug=true]` runs one layered probe and answers its metrics
///   (``ProbeMetrics``), or with `debug=true` the text report (redacted like every output).
/// - `GET /metrics`: the exporter's own health (probes by module and result, in flight, reloads).
/// - `POST /-/reload` (and SIGHUP, from the CLI): re-reads the configuration file.
/// - `GET /`: what it serves and its modules.
///
/// Secured like the lab's admin API: it binds 127.0.0.1 by default; on a loopback bind, a request whose
/// `Host` is not the listen address is refused (DNS rebinding), and so is any request that carries an
/// `Origin` (a web page). Probes run concurrently up to a bound; each is bounded by the scrape timeout
/// Prometheus announces (`X-Prometheus-Scrape-Timeout-Seconds`) less a margin.
public final class ExporterServer: Sendable {
    /// How the exporter listens and bounds its work.
    public struct Options: Sendable {
        /// The address to bind (default 127.0.0.1).
        public var host: String = "127.0.0.1"
        /// The port (default 9115 + 1011 = 10126 is not used: 0 picks a free one; the CLI defaults to 9312).
        public var port: Int = 0
        /// Probes running at once; one more is answered 503 (default 64).
        public var maxConcurrentProbes: Int = 64
        /// Taken off the scrape timeout Prometheus announces, so the answer arrives in time (default 500 ms).
        public var scrapeTimeoutMargin: Duration = .milliseconds(500)
        /// The configuration file, re-read on reload; `nil`: the built-in modules.
        public var configurationPath: String? = nil
        /// Defaults: 127.0.0.1, a free port, 64 probes, 500 ms margin, built-in modules.
        public init() {}
    }

    struct State {
        var configuration: ExporterConfiguration
        var inFlight = 0
        var probes: [String: [String: Int]] = [:]  // module → result → count
        var reloads: [String: Int] = ["success": 0, "failure": 0]
        var lastReloadSuccessful = true
    }

    /// The port it listens on.
    public let port: Int
    /// The address it listens on.
    public let host: String
    let options: Options
    let state: NIOLockedValueBox<State>
    private let channel: any Channel

    private init(channel: any Channel, options: Options, configuration: ExporterConfiguration) {
        self.channel = channel
        self.options = options
        self.host = options.host
        self.port = channel.localAddress?.port ?? options.port
        self.state = NIOLockedValueBox(State(configuration: configuration))
    }

    /// Whether `host` is a loopback address or name.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Starts the exporter with `configuration` (the file's, or ``ExporterConfiguration/builtIn``).
    public static func start(_ options: Options, configuration: ExporterConfiguration) async throws -> ExporterServer {
        let box = NIOLockedValueBox<ExporterServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLockedValue({ $0 }) else { throw ProbeError.invalidConfiguration("exporter stopped") }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ExporterHTTPHandler(server: server))
                }
            }
            .bind(host: options.host, port: options.port).get()
        let server = ExporterServer(channel: channel, options: options, configuration: configuration)
        box.withLockedValue { $0 = server }
        return server
    }

    /// Stops listening.
    public func shutdown() async {
        try? await channel.close()
    }

    /// The modules now in force.
    public var configuration: ExporterConfiguration { state.withLockedValue { $0.configuration } }

    /// Re-reads the configuration file (a no-op for the built-in modules); a bad file keeps the old one.
    /// - Throws: ``ProbeError`` naming what is wrong in the file.
    public func reload() throws(ProbeError) {
        guard let path = options.configurationPath else {
            state.withLockedValue {
                $0.reloads["success", default: 0] += 1; $0.lastReloadSuccessful = true
            }
            return
        }
        do {
            let configuration = try ExporterConfiguration.load(path: path)
            state.withLockedValue {
                $0.configuration = configuration
                $0.reloads["success", default: 0] += 1
                $0.lastReloadSuccessful = true
            }
        } catch {
            state.withLockedValue {
                $0.reloads["failure", default: 0] += 1; $0.lastReloadSuccessful = false
            }
            throw error
        }
    }

    // MARK: - Requests

    /// An HTTP answer.
    struct Response: Sendable {
        var status: HTTPResponseStatus
        var contentType = "text/plain; charset=utf-8"
        var body: String
    }

    /// The `Host` values accepted: on a loopback bind, the listen address and `localhost`/`127.0.0.1`/`[::1]`
    /// with the port; on any other bind, every value (the start-up warning says so).
    func hostAllowed(_ hostHeader: String?) -> Bool {
        guard Self.isLoopback(host) else { return true }
        guard let hostHeader else { return false }
        let allowed = ["127.0.0.1", "localhost", "[::1]", host.contains(":") ? "[\(host)]" : host].map { "\($0):\(port)" }
        return allowed.contains(hostHeader.lowercased())
    }

    /// What to do with one request: answer now (on the event loop), or run a probe first.
    enum Route: Sendable {
        case now(Response)
        case probe(query: [String: String], headers: HTTPHeaders)
    }

    /// Routes one request. Everything but a probe is answered at once, on the connection's event loop.
    func route(method: HTTPMethod, uri: String, headers: HTTPHeaders) -> Route {
        if let response = response(method: method, uri: uri, headers: headers) { return .now(response) }
        let components = URLComponents(string: "http://exporter" + uri)
        let query = Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        return .probe(query: query, headers: headers)
    }

    /// The answer to every request but a probe (`nil` for a probe).
    private func response(method: HTTPMethod, uri: String, headers: HTTPHeaders) -> Response? {
        guard hostAllowed(headers.first(name: "Host")) else {
            return Response(
                status: .forbidden,
                body:
                    "refused: the Host header must be this exporter's own address (127.0.0.1:\(port)); this guards against DNS rebinding\n")
        }
        if headers.first(name: "Origin") != nil {
            return Response(status: .forbidden, body: "refused: requests from web pages (with an Origin header) are not served\n")
        }
        let components = URLComponents(string: "http://exporter" + uri)
        let path = components?.path ?? uri
        let query = Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        switch (method, path) {
        case (.GET, "/probe"):
            return nil
        case (.GET, "/metrics"):
            return Response(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: ownMetrics())
        case (.POST, "/-/reload"):
            do {
                try reload()
                return Response(status: .ok, body: "reloaded: \(configuration.modules.count) module(s)\n")
            } catch {
                return Response(
                    status: .internalServerError, body: "reload failed, the previous configuration stays: \(error.description)\n")
            }
        case (.GET, "/"):
            let modules = configuration.modules.keys.sorted().joined(separator: ", ")
            return Response(
                status: .ok,
                body: """
                    ws1011 exporter
                    GET /probe?target=wss://host/ws&module=NAME[&debug=true]   one probe, Prometheus text (debug: the report)
                    GET /metrics                                             the exporter's own metrics
                    POST /-/reload                                           re-read the configuration
                    modules: \(modules)

                    """)
        default:
            return Response(status: .notFound, body: "no such endpoint \(method) \(path); see GET /\n")
        }
    }

    /// Runs one probe (bounded by the module's timeout and the scrape timeout) and answers its metrics.
    func probe(query: [String: String], headers: HTTPHeaders) async -> Response {
        guard let targetText = query["target"], !targetText.isEmpty else {
            return Response(status: .badRequest, body: "missing target: /probe?target=wss://host/ws&module=NAME\n")
        }
        let scrub = Redactor().adding(url: targetText)
        let modules = configuration.modules
        let moduleName = query["module"] ?? (modules.count == 1 ? modules.keys.first! : "plain")
        guard let module = modules[moduleName] else {
            return Response(
                status: .badRequest,
                body: "unknown module '\(TerminalText.line(moduleName))'; modules: \(modules.keys.sorted().joined(separator: ", "))\n")
        }
        let target: WebSocketURL
        do { target = try WebSocketURL(parsing: targetText) } catch {
            return Response(status: .badRequest, body: "bad target: \(scrub.text(error.description))\n")
        }
        var bound: Duration
        do { bound = try module.probeTimeout() } catch { return Response(status: .internalServerError, body: "\(error.description)\n") }
        // Whatever the header holds (`inf`, `1e300`, `nan`): only a finite positive number is used, clamped to an hour
        // before it becomes a Duration (an unclamped conversion traps).
        if let announced = headers.first(name: "X-Prometheus-Scrape-Timeout-Seconds").flatMap(Double.init), announced.isFinite,
            announced > 0
        {
            let scrape = Duration.milliseconds(Int64(min(announced, 3600) * 1000)) - options.scrapeTimeoutMargin
            bound = min(bound, max(scrape, .milliseconds(250)))
        }
        let admitted = state.withLockedValue { s -> Bool in
            guard s.inFlight < options.maxConcurrentProbes else { return false }
            s.inFlight += 1
            return true
        }
        guard admitted else {
            count(moduleName, "refused")
            return Response(
                status: .serviceUnavailable,
                body: "too many probes in flight (\(options.maxConcurrentProbes)); scrape less often or raise --max-concurrent\n")
        }
        defer { state.withLockedValue { $0.inFlight -= 1 } }
        let plan: ProbePlan
        do { plan = try module.plan(target: target, bound: bound) } catch {
            count(moduleName, "error")
            return Response(status: .internalServerError, body: "module '\(moduleName)': \(scrub.text(error.description))\n")
        }
        let started = ContinuousClock.now
        do {
            let outcome = try await ProbeRunner(plan: plan).execute()
            let redactor = outcome.redactor.adding(url: targetText)
            count(moduleName, outcome.report.verdict.layer == .healthy ? "success" : "failure")
            if query["debug"] == "true" {
                return Response(
                    status: .ok, body: TextReportRenderer.render(outcome.report, redactor: redactor, wording: ExporterAdviceWording()))
            }
            return Response(
                status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: redactor.text(ProbeMetrics.render(outcome.report, duration: ContinuousClock.now - started)))
        } catch {
            count(moduleName, "error")
            return Response(status: .internalServerError, body: "module '\(moduleName)': \(scrub.text(error.description))\n")
        }
    }

    private func count(_ module: String, _ result: String) {
        state.withLockedValue { $0.probes[module, default: [:]][result, default: 0] += 1 }
    }

    /// The exporter's own metrics.
    func ownMetrics() -> String {
        let s = state.withLockedValue { $0 }
        var out = MetricsText()
        var samples: [([(String, String)], Double)] = []
        for module in s.probes.keys.sorted() {
            for result in s.probes[module, default: [:]].keys.sorted() {
                samples.append(([("module", module), ("result", result)], Double(s.probes[module]?[result] ?? 0)))
            }
        }
        out.counter("ws1011_exporter_probes_total", "Probes run, by module and result (success, failure, error, refused).", samples)
        out.gauge("ws1011_exporter_probes_in_flight", "Probes running now.", Double(s.inFlight))
        out.counter(
            "ws1011_exporter_config_reloads_total", "Configuration reloads, by result.",
            s.reloads.keys.sorted().map { ([("result", $0)], Double(s.reloads[$0] ?? 0)) })
        out.gauge(
            "ws1011_exporter_config_last_reload_successful", "Whether the last configuration reload succeeded.",
            s.lastReloadSuccessful ? 1 : 0)
        out.gauge("ws1011_exporter_modules", "Modules in the configuration.", Double(s.configuration.modules.count))
        return out.text
    }
}

/// Reads one request at a time and writes the server's answer on the channel's loop.
final class ExporterHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ExporterServer
    private var head: HTTPRequestHead?

    init(server: ExporterServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break  // no endpoint takes a body
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            switch server.route(method: head.method, uri: head.uri, headers: head.headers) {
            case .now(let response):
                Self.write(response, keepAlive: keepAlive, context: context)
            case .probe(let query, let headers):
                // Only the probe itself runs as a task (its connections are on NIO loops); the answer is
                // written back on this connection's loop.
                let loop = context.eventLoop
                let bound = NIOLoopBound(context, eventLoop: loop)
                let server = self.server
                Task {
                    let response = await server.probe(query: query, headers: headers)
                    loop.execute { Self.write(response, keepAlive: keepAlive, context: bound.value) }
                }
            }
        }
    }

    static func write(_ response: ExporterServer.Response, keepAlive: Bool, context: ChannelHandlerContext) {
        let body = context.channel.allocator.buffer(string: response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
            promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
