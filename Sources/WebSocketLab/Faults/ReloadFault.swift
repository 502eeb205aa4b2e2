/// `reload`: a proxy reload — every connection open `after` the fault is installed is cut at once, while
/// new connections are served as before. ingress-nginx reloads nginx on every config change: the old
/// workers keep their connections until `worker-shutdown-timeout` (240 s by default), then close them all
/// with no close frame (`mode=fin`, 1006 at the client); Caddy has sent 1001 instead (`mode=1001`).
/// Sources: kubernetes/ingress-nginx#2647 and #8977, caddyserver/caddy#6420 (docs/FAILURE_SIGNATURES.md).
public struct ReloadFault: ProxyReloadFault {
    public static let descriptor = FaultDescriptor(
        name: "reload", summary: "cut every open connection at once after a grace (a proxy reload); new ones are served",
        parameters: [
            .init("after", "the grace between installing and the cut, e.g. 240s (ingress-nginx worker-shutdown-timeout); default 0s"),
            .init("mode", "fin (no close frame) or 1001; default fin"),
        ])

    /// The grace between installing the fault and the cut.
    public var after: Duration
    /// How the connections end.
    public var mode: DrainMode

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        after = try spec.duration("after", default: .zero)
        let text = try spec.string("mode", default: "fin")
        guard let parsed = DrainMode(rawValue: text.lowercased()) else {
            throw FaultSpecError(spec: spec.description, message: "'mode' must be fin or 1001, got '\(text)'")
        }
        mode = parsed
    }

    public var reloadAfter: Duration { after }
    public var reloadMode: DrainMode { mode }
}
