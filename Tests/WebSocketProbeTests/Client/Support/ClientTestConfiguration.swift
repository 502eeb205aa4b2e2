import Foundation
import WebSocketProbe

extension ClientConfiguration {
    /// A configuration for a test server. Connect, TLS, upgrade and message bounds (10 s) guard against a hang,
    /// so they are generous: on a busy machine loopback can take seconds. A test that is about a timeout sets
    /// its own. The close bound (1 s) is short because tests about an unanswered close wait it out.
    static func forTest(_ url: WebSocketURL) -> ClientConfiguration {
        var configuration = ClientConfiguration(url: url)
        configuration.timeouts.connect = .seconds(10)
        configuration.timeouts.tlsHandshake = .seconds(10)
        configuration.timeouts.upgrade = .seconds(10)
        configuration.timeouts.message = .seconds(10)
        configuration.timeouts.close = .seconds(1)
        return configuration
    }
}
