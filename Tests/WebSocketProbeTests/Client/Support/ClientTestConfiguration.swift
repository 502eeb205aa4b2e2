import Foundation
import WebSocketProbe

extension ClientConfiguration {
    /// A configuration for a test server with short bounds (2 s waits, 1 s close).
    static func forTest(_ url: WebSocketURL) -> ClientConfiguration {
        var configuration = ClientConfiguration(url: url)
        configuration.timeouts.connect = .seconds(2)
        configuration.timeouts.tlsHandshake = .seconds(2)
        configuration.timeouts.upgrade = .seconds(2)
        configuration.timeouts.message = .seconds(2)
        configuration.timeouts.close = .seconds(1)
        return configuration
    }
}
