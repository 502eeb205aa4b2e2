import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("Fault proxy admin API")
struct AdminAPITests {
    @Test func faultsCanBeAddedListedAndRemovedAtRunTime() async throws {
        let h = try await ProxyHarness.start { $0.adminPort = 0 }
        let admin = try #require(h.proxy.adminPort)
        #expect(try await ProxyTestHTTP.request(port: admin, "GET", "/faults").body == "[]")

        let added = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: #""idle-timeout:after=2s""#, headers: ProxyTestHTTP.json)
        #expect(added.status == 201)
        #expect(added.body.contains("\"name\":\"idle-timeout\""))
        let json = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: #"{"name":"drop-pongs","parameters":{"direction":"downstream"}}"#,
            headers: ProxyTestHTTP.json)
        #expect(json.status == 201)
        #expect(h.proxy.faultSpecs.map(\.name) == ["idle-timeout", "drop-pongs"])

        let bad = try await ProxyTestHTTP.request(port: admin, "POST", "/faults", body: #""no-such-fault""#, headers: ProxyTestHTTP.json)
        #expect(bad.status == 400)
        #expect(bad.body.contains("valid faults"))

        #expect(try await ProxyTestHTTP.request(port: admin, "DELETE", "/faults/idle-timeout", headers: ProxyTestHTTP.json).status == 204)
        #expect(try await ProxyTestHTTP.request(port: admin, "DELETE", "/faults/idle-timeout", headers: ProxyTestHTTP.json).status == 404)
        #expect(h.proxy.faultSpecs.map(\.name) == ["drop-pongs"])
        #expect(try await ProxyTestHTTP.request(port: admin, "POST", "/reset", headers: ProxyTestHTTP.json).status == 204)
        #expect(h.proxy.faultSpecs.isEmpty)
        await h.stop()
    }

    @Test func aFaultAddedOverTheAPIActsOnTheNextPing() async throws {
        let h = try await ProxyHarness.start { $0.adminPort = 0 }
        let admin = try #require(h.proxy.adminPort)
        let client = try await h.connect()
        #expect(await client.ping(timeout: .seconds(1)) != nil)
        #expect(
            try await ProxyTestHTTP.request(port: admin, "POST", "/faults", body: #"{"name":"drop-pongs"}"#, headers: ProxyTestHTTP.json)
                .status == 201)
        #expect(await client.ping(timeout: .milliseconds(400)) == nil)
        await client.abort()
        await h.stop()
    }

    @Test func metricsCountConnectionsUpgradesBytesFramesAndCloses() async throws {
        let h = try await ProxyHarness.start { $0.adminPort = 0 }
        let admin = try #require(h.proxy.adminPort)
        let client = try await h.connect()
        await client.send(text: "count me")
        _ = await client.receive()
        await client.close(code: 1000)
        try await Task.sleep(for: .milliseconds(100))
        let (status, text) = try await ProxyTestHTTP.request(port: admin, "GET", "/metrics")
        #expect(status == 200)
        #expect(text.contains("ws1011_proxy_connections_total 1"))
        #expect(text.contains(#"ws1011_proxy_upgrades_total{status="101"} 1"#))
        #expect(text.contains(#"ws1011_proxy_frames_total{direction="upstream",opcode="text"} 1"#))
        #expect(text.contains(#"ws1011_proxy_close_frames_total{direction="downstream",code="1000"} 1"#))
        #expect(text.contains(#"ws1011_proxy_connection_ends_total{by="#))
        #expect(text.contains("ws1011_proxy_connections_open 0"))
        #expect(text.contains(#"ws1011_proxy_bytes_total{direction="upstream"}"#))
        await h.stop()
    }
}
