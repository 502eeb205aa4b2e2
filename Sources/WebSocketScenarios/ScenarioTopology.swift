/// What a scenario starts on loopback: the lab backend, optionally the fault proxy in front, TLS or not.
///
/// Proxy presets (`cloud-run:timeout=2s`) are written in the scenario's `proxyFaults` like any fault.
public struct ScenarioTopology: Codable, Sendable, Equatable {
    /// Whether the probe talks to the backend directly or through the fault proxy.
    public enum Path: String, Codable, Sendable, CaseIterable {
        case direct
        case proxy
    }

    /// `direct` (default) or `proxy`.
    public var path: Path
    /// The TLS variant the client-facing server presents (`valid`, `expired`, `wrong-host`, `self-signed`,
    /// `no-intermediate`, `not-yet-valid`), or `nil` for plain `ws://`.
    public var tls: String?
    /// `true`: the client uses `wss://` against a port that does not speak TLS (the plaintext-port mistake).
    public var wssToPlaintext: Bool
    /// Number of backend instances behind the proxy (default 1).
    public var instances: Int
    /// `true`: the proxy serves HTTP/2 too (ALPN `h2`, extended CONNECT advertised, WebSockets over HTTP/2
    /// bridged to the backend); needs `path` `proxy` and `tls`. Default false.
    public var http2: Bool

    /// Creates a topology; the default is a single plain-`ws://` backend, probed directly.
    public init(path: Path = .direct, tls: String? = nil, wssToPlaintext: Bool = false, instances: Int = 1, http2: Bool = false) {
        self.path = path
        self.tls = tls
        self.wssToPlaintext = wssToPlaintext
        self.instances = instances
        self.http2 = http2
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case path, tls, wssToPlaintext, instances, http2 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(Path.self, forKey: .path) ?? .direct
        tls = try c.decodeIfPresent(String.self, forKey: .tls)
        wssToPlaintext = try c.decodeIfPresent(Bool.self, forKey: .wssToPlaintext) ?? false
        instances = try c.decodeIfPresent(Int.self, forKey: .instances) ?? 1
        http2 = try c.decodeIfPresent(Bool.self, forKey: .http2) ?? false
    }
}
