import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("Fault proxy TLS termination")
struct ProxyTLSTests {
    @Test func wssClientTalksThroughTheTerminatingProxyToAPlainBackend() async throws {
        let ca = try LabCertificateAuthority.generate()
        // The injected close comes 1.5 s after the accept: after the TLS handshake and the echo, even when slow.
        let h = try await ProxyHarness.start(faults: ["inject-close:code=1011,reason=Internal error,after=1500ms"]) {
            $0.tls = try? ca.makeServerContext(.valid)
        }
        #expect(h.proxy.url().hasPrefix("wss://"))
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "wss://127.0.0.1:\(h.proxy.port)/"))
        configuration.tls.trustRootsPEM = [ca.rootCertificatePEM]
        configuration.timeouts.upgrade = .seconds(3)
        let client = await WebSocketConnection.connect(configuration)
        #expect(await client.isOpen)
        await client.send(text: "over tls")
        #expect(await client.receive(timeout: .seconds(2)) == .text("over tls"))
        // Faults still act on frames inside TLS.
        guard case .closed(let observed) = await client.receive(timeout: .seconds(4)) else {
            Issue.record("expected the injected close")
            return
        }
        #expect(observed.received?.code == 1011)
        await h.stop()
    }

    @Test func plainWSToTheTLSPortFailsBeforeHTTP() async throws {
        let ca = try LabCertificateAuthority.generate()
        let h = try await ProxyHarness.start { $0.tls = try? ca.makeServerContext(.valid) }
        let client = try await h.connect()
        #expect(await client.isOpen == false)
        #expect(await client.transcript().handshake?.status == nil)
        await h.stop()
    }
}
