import Foundation
import Testing
import WebSocketLab
import WebSocketScenarios

/// `topology.http2` (the proxy serving HTTP/2) and the `h2` signature field: what the loader accepts and the
/// field it names when a scenario is wrong.
@Suite("Scenario HTTP/2 front: topology.http2 and the h2 outcome")
struct ScenarioHTTP2TopologyTests {
    static func scenario(topology: String, faults: String = "[]", h2: String = "fails") -> Data {
        Data(
            """
            {"id": "t", "title": "t", "cause": {"description": "d", "reference": "infrastructure: r"},
             "topology": \(topology), "proxyFaults": \(faults), "probe": {"profile": "reference"},
             "expected": {"signature": {"opened": true, "h2": "\(h2)"},
                          "verdict": {"layer": "infrastructure", "cause": "infrastructure.h2-websocket-broken"}}}
            """.utf8)
    }

    @Test func anHTTP2FrontWithTheBrokenFaultLoads() throws {
        let scenario = try ScenarioLoader.decode(
            Self.scenario(topology: #"{"path": "proxy", "tls": "valid", "http2": true}"#, faults: #"["h2-connect-broken:mode=reset"]"#),
            path: "t.json")
        #expect(scenario.topology.http2)
        #expect(scenario.expected.signature.h2 == "fails")
    }

    @Test func http2NeedsTheProxyAndTLS() {
        for topology in [#"{"path": "direct", "tls": "valid", "http2": true}"#, #"{"path": "proxy", "http2": true}"#] {
            let error = scenarioLoadError(Self.scenario(topology: topology))
            #expect(error?.field == "topology.http2", "\(topology)")
            #expect(error?.message.contains("topology.tls") == true)
        }
    }

    @Test func aMisspelledTopologyFieldIsNamedWithTheFieldItMeant() {
        let error = scenarioLoadError(Self.scenario(topology: #"{"path": "proxy", "tls": "valid", "htpp2": true}"#))
        #expect(error?.field == "topology.htpp2")
        #expect(error?.message.contains("did you mean 'http2'?") == true, "\(String(describing: error?.message))")
    }

    @Test func theBrokenFaultNeedsHTTP2AndAnUnknownOutcomeIsNamed() {
        let withoutHTTP2 = scenarioLoadError(
            Self.scenario(topology: #"{"path": "proxy", "tls": "valid"}"#, faults: #"["h2-connect-broken"]"#))
        #expect(withoutHTTP2?.field == "proxyFaults")
        #expect(withoutHTTP2?.message.contains("topology.http2") == true)
        let unknown = scenarioLoadError(Self.scenario(topology: #"{"path": "proxy", "tls": "valid", "http2": true}"#, h2: "broken"))
        #expect(unknown?.field == "expected.signature.h2")
        #expect(unknown?.message.contains("works") == true)
    }
}
