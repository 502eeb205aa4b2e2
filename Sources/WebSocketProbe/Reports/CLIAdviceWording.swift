import WebSocketDiagnosis

/// Next steps in the words of `ws1011 diagnose`: the flags that take them.
public struct CLIAdviceWording: AdviceWording {
    public init() {}

    public func words(for action: NextStep.Action) -> String {
        switch action {
        case .compareDirect: "rerun with --direct"
        case .measureTimeouts: "rerun with --idle-probe and --lifetime-probe"
        case .measureLifetime: "rerun with --lifetime-probe"
        case .tryAuthChannels: "rerun with --auth-channels"
        case .sendCredential: "send a token (--token, --token-file or --secret)"
        case .sendOrigin: "send an allowed Origin (--origin)"
        case .allowMoreTime: "give a longer --max-time, or shorter probes (--idle-probe, --lifetime-probe, --sustain)"
        case .offerClientCertificate: "pass the certificate and key the front expects (--cert, --key)"
        case .giveProxyCredentials: "put them in the proxy URL (--proxy http://USER:PASSWORD@HOST:PORT, or the https_proxy variable)"
        case .bypassProxy: "bypass the proxy for it (--noproxy HOST, or NO_PROXY)"
        case .compareHTTP1: "rerun without --http2"
        }
    }
}
