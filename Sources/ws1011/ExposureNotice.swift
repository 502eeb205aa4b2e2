import WebSocketLab

/// What `ws1011 lab` and `ws1011 proxy` say when told to listen beyond loopback: a loud warning on stderr, and a
/// note that turns a wildcard address (which no client can connect to) into addresses that work.
enum ExposureNotice {
    /// A loud warning when `what` listens on `host` (not loopback): who can reach it and what they can do; nil on loopback.
    static func warning(_ what: String, host: String, port: Int, consequence: String) -> String? {
        let bind = ListenHost(host)
        guard !bind.isLoopback else { return nil }
        let shown = bind.host.contains(":") ? "[\(bind.host)]" : bind.host
        let scope = bind.isWildcard ? "every interface" : "an address other machines can reach"
        return """

            ws1011: WARNING: \(what) listens on \(shown):\(port) \
            (\(scope)), not loopback: \(consequence)
            ws1011: WARNING: listen on 127.0.0.1 (the default) unless other machines must reach it.

            """
    }

    /// For a wildcard `host`: where other machines reach the listener (this machine's name and addresses); nil otherwise.
    static func addressNote(host: String, port: Int) -> String? {
        let bind = ListenHost(host)
        guard bind.isWildcard else { return nil }
        var others: [String] = []
        if let name = ListenHost.machineName() { others.append("\(name):\(port)") }
        others += ListenHost.externalAddresses().map { "\($0):\(port)" }
        let from = others.isEmpty ? "this host's name or address" : others.joined(separator: ", ")
        return "(\(host) is every interface: the URLs use \(bind.urlHost); from other machines use \(from))"
    }
}
