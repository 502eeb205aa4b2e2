import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WebSocketDiagnosis

/// Gets a token from an auth service: `POST <auth URL>` with `{"email": …}` → the `access_token` of the JSON answer.
///
/// `http://` and `https://` (TLS verified with the system roots plus the plan's extra roots, unless insecure).
/// Every wait is bounded; failures are `ProbeError`s that say what to fix.
public struct AuthTokenFetcher: Sendable {
    /// The auth endpoint (`http://127.0.0.1:8080/auth/token`).
    public var authURL: String
    /// The test user's email.
    public var email: String
    /// Trust settings for `https://`.
    public var tls: ClientConfiguration.TLSSettings
    /// Bound of the whole exchange (default 10 s).
    public var timeout: Duration

    /// A fetcher for one user.
    public init(authURL: String, email: String, tls: ClientConfiguration.TLSSettings = .init(), timeout: Duration = .seconds(10)) {
        self.authURL = authURL
        self.email = email
        self.tls = tls
        self.timeout = timeout
    }

    /// Fetches the token.
    public func fetch(eventLoopGroup: (any EventLoopGroup)? = nil) async throws(ProbeError) -> String {
        // Every message below may quote the URL, the service's answer or a library error that echoes
        // the request: all of it is scrubbed of the URL's own secrets (`?client_secret=…`, userinfo).
        let redactor = Redactor().adding(url: authURL)
        guard let url = URL(string: authURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw ProbeError.invalidConfiguration(
                "--auth-url '\(redactor.url(authURL))' is not an http:// or https:// URL; write it as http://host:port/auth/token")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        // A bare base URL (`https://auth.example.com`) means the lab contract's endpoint, POST /auth/token.
        let path = (url.path.isEmpty || url.path == "/" ? "/auth/token" : url.path) + (url.query.map { "?" + $0 } ?? "")
        let hostHeader = (host.contains(":") ? "[\(host)]" : host) + (url.port.map { ":\($0)" } ?? "")
        let body: Data
        do { body = try JSONSerialization.data(withJSONObject: ["email": email]) } catch {
            throw ProbeError.invalidConfiguration("cannot encode the --user email as JSON")
        }

        var sslContext: NIOSSLContext?
        if scheme == "https" {
            do {
                var configuration = TLSConfiguration.makeClientConfiguration()
                var roots: [NIOSSLCertificate] = []
                if let caFile = tls.caFile { roots += try NIOSSLCertificate.fromPEMFile(caFile) }
                for pem in tls.trustRootsPEM { roots += try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) }
                if !roots.isEmpty { configuration.additionalTrustRoots = [.certificates(roots)] }
                if tls.insecure { configuration.certificateVerification = .none }
                sslContext = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ProbeError.invalidConfiguration("cannot set up TLS for --auth-url: \(redactor.text(String(describing: error)))")
            }
        }

        let tlsContext = sslContext
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let loop = group.next()
        let promise = loop.makePromise(of: (HTTPResponseHead, [UInt8]).self)
        let serverName = tls.serverName ?? host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        let isAddress = (try? SocketAddress(ipAddress: serverName, port: 0)) != nil
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: isAddress ? nil : serverName))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ResponseCollector(promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw ProbeError.invalidConfiguration(
                "cannot reach the auth service at \(redactor.url(authURL)): \(redactor.text(String(describing: error))). Check --auth-url")
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let timeoutTask = loop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(ChannelError.connectTimeout(.seconds(0)))
        }
        let result: (HTTPResponseHead, [UInt8])
        do {
            result = try await promise.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw ProbeError.invalidConfiguration(
                "the auth service at \(redactor.url(authURL)) did not answer within \(DurationText.format(timeout)): \(redactor.text(String(describing: error)))"
            )
        }
        timeoutTask.cancel()
        channel.close(promise: nil)
        let (response, bytes) = result
        // Scrubbed before it is cut, so a secret split by the cut is still recognised.
        let text = String(redactor.text(String(decoding: bytes.prefix(4096), as: UTF8.self)).prefix(300))
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ProbeError.invalidConfiguration(
                "the auth service answered HTTP \(response.status.code) for user '\(redactor.text(email))': \(text). Check --user and --auth-url"
            )
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            let token = object["access_token"] as? String, !token.isEmpty
        else {
            // Only the keys: the values of an answer without access_token may be other credentials
            // (`idToken`, `refreshToken`, a nested token) that nothing here knows to scrub.
            let keys = ((try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]).map { $0.keys.sorted() }
            let shape =
                keys.map { "its keys are \($0.isEmpty ? "none" : $0.prefix(20).joined(separator: ", "))" } ?? "it is not a JSON object"
            throw ProbeError.invalidConfiguration(
                "the auth service's answer has no access_token (\(redactor.text(shape))). Point --auth-url at an endpoint that answers {\"access_token\": …}"
            )
        }
        // Refused, never altered: in a header a line break would split the request, and a token changed
        // silently is not the service's token.
        if let problem = SecretText.controlCharacter(in: token) {
            throw ProbeError.invalidConfiguration(
                "the access_token from the auth service at \(redactor.url(authURL)) contains \(problem) (the value is not shown): a token is one line of printable characters. Fix what the auth service answers"
            )
        }
        return token
    }
}

/// Collects one HTTP response (head and up to 1 MiB of body) and fulfils a promise at its end.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromise<(HTTPResponseHead, [UInt8])>
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<(HTTPResponseHead, [UInt8])>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body(var buffer):
            if body.count < 1 << 20, let bytes = buffer.readBytes(length: min(buffer.readableBytes, (1 << 20) - body.count)) {
                body += bytes
            }
        case .end:
            if let head { promise.succeed((head, body)) } else { promise.fail(ChannelError.inputClosed) }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.inputClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
