import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("Fault proxy on loopback")
struct FaultProxyTests {
    @Test func echoTrafficPassesThroughUnchanged() async throws {
        let h = try await ProxyHarness.start()
        let client = try await h.connect { $0.subprotocols = ["chat", "other"] }
        #expect(await client.isOpen)
        #expect(await client.negotiatedSubprotocol == "chat")
        await client.send(text: "hello")
        #expect(await client.receive() == .text("hello"))
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        await client.send(binary: big)
        #expect(await client.receive() == .binary(big))
        #expect(await client.ping(timeout: .seconds(2)) != nil)
        await client.close()
        let end = await client.transcript().close
        #expect(end.received?.code == 1000)
        await h.stop()
    }

    @Test func plainHTTPRequestsAreForwarded() async throws {
        let h = try await ProxyHarness.start()
        let (status, body) = try await ProxyTestHTTP.request(port: h.proxy.port, "GET", "/health")
        #expect(status == 200)
        #expect(body.contains("healthy"))
        await h.stop()
    }

    @Test func forwardedHeadersTellTheBackendWhoAsked() async throws {
        let h = try await ProxyHarness.start(faults: ["strip-header:name=Authorization"])
        let text = try await ProxyTestHTTP.exchange(
            port: h.proxy.port,
            "GET /headers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.contains("X-Forwarded-For: 10.0.0.1, 127.0.0.1"))
        #expect(text.contains("X-Forwarded-Proto: http"))
        #expect(!text.contains("Authorization"))
        await h.stop()
    }

    @Test func roundRobinSpreadsConnectionsOverInstances() async throws {
        let h = try await ProxyHarness.start(instances: 2)
        var seen: [String] = []
        for _ in 0..<4 {
            let client = try await h.connect()
            seen.append(await client.transcript().handshake?.headers.first(named: "X-Echo-Instance") ?? "none")
            await client.close()
        }
        #expect(seen == ["echo-0", "echo-1", "echo-0", "echo-1"])
        await h.stop()
    }

    @Test func stickyCookieKeepsAClientOnItsInstance() async throws {
        let h = try await ProxyHarness.start(instances: 2) { $0.balancing = .stickyCookie("ws1011-instance") }
        let first = try await h.connect()
        let head = await first.transcript().handshake
        // The client records Set-Cookie redacted; the instance index is the cookie's value.
        #expect(head?.headers.first(named: "Set-Cookie") != nil)
        let instance = try #require(head?.headers.first(named: "X-Echo-Instance"))
        await first.close()
        let pair = "ws1011-instance=" + instance.dropFirst("echo-".count)
        for _ in 0..<3 {
            let again = try await h.connect { $0.headers = [HeaderField("Cookie", pair)] }
            #expect(await again.transcript().handshake?.headers.first(named: "X-Echo-Instance") == instance)
            await again.close()
        }
        await h.stop()
    }

    @Test func unreachableUpstreamIsA502() async throws {
        let proxy = try await FaultProxy.start(ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: 1)]))
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:\(proxy.port)/"))
        configuration.timeouts.upgrade = .seconds(3)
        let client = await WebSocketConnection.connect(configuration)
        #expect(await client.isOpen == false)
        #expect(await client.transcript().handshake?.status == 502)
        await proxy.shutdown()
    }

    @Test func oversizedRequestHeadIsA431NotACrash() async throws {
        let h = try await ProxyHarness.start()
        let text = try await ProxyTestHTTP.exchange(
            port: h.proxy.port, "GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.1 431"))
        // The proxy still serves the next client.
        let client = try await h.connect()
        #expect(await client.isOpen)
        await client.close()
        await h.stop()
    }

    @Test func anInvalidFaultListChangesNothing() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-pongs"])
        #expect(throws: FaultSpecError.self) {
            try h.proxy.setFaults([FaultSpec(name: "idle-timeout", parameters: ["after": "2s"]), FaultSpec(name: "nope")])
        }
        #expect(h.proxy.faultSpecs.map(\.name) == ["drop-pongs"])
        await h.stop()
    }
}
