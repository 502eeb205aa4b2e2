import WebSocketDiagnosis

/// Next steps in the words of `ws1011 exporter`: the module settings that take them, or a one-off
/// `ws1011 diagnose` where a scrape cannot (a direct comparison needs a second target).
public struct ExporterAdviceWording: AdviceWording {
    public init() {}

    public func words(for action: NextStep.Action) -> String {
        switch action {
        case .compareDirect: "probe the backend's own address with `ws1011 diagnose --direct`"
        case .measureTimeouts: "set idleProbe and lifetimeProbe in the module"
        case .measureLifetime: "set lifetimeProbe in the module"
        case .tryAuthChannels: "set authMatrix in the module"
        case .sendCredential: "give the module a tokenFile, tokenEnv or secretFile"
        case .sendOrigin: "add an Origin to the module's headers"
        case .allowMoreTime: "raise the module's timeout (and the scrape timeout), or shorten its probes"
        case .bypassProxy: "check the host without the proxy with `ws1011 diagnose --noproxy HOST`"
        case .offerClientCertificate: "check the front with `ws1011 diagnose --cert CERT --key KEY` (modules offer no client certificate)"
        case .giveProxyCredentials: "check the proxy with `ws1011 diagnose --proxy http://USER:PASSWORD@HOST:PORT` (modules use no proxy)"
        case .compareHTTP1: "compare with `ws1011 diagnose` over HTTP/1.1 (without --http2)"
        }
    }
}
