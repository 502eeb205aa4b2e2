import Foundation
import Testing
import WebSocketLab
import WebSocketTestFramework

/// The lab's HTTP/2 front (`ws1011 proxy --http2`) with Node's own `http2` client
/// (`Fixtures/interop/h2_front_client.js`) in front of the Node origin: the SETTINGS, a GET and a POST of
/// unknown length forwarded as HTTP/1.1, an extended CONNECT whose origin does not read — the bytes the
/// client's stream can push are bounded by the front's back-pressure — then reset, which closes the origin's
/// connection while the client's HTTP/2 session stays open; and one the client does not read while its origin
/// writes as fast as it can, bounded the other way.
@Suite("Interop: Node's http2 client through the lab's HTTP/2 front", .serialized)
struct HTTP2FrontNodeClientInteropTests {
    @Test(
        "node http2 client: SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, GET and POST forwarded, streams held back both ways by back-pressure, RST_STREAM closes the upstream",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .timeLimit(.minutes(2)))
    func nodeClientThroughTheFront() async throws {
        let node = try InteropPeer.nodeHTTP2.require()
        let authority = try LabCertificateAuthority.generate()
        try await PeerProcess.startListening(name: "node page origin", executable: node) { _, port in
            [InteropPeer.fixture("h2_browser_page_server.js"), String(port)]
        }.run { origin in
            var configuration = ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: origin.port)])
            configuration.tls = try authority.makeServerContext(.valid, applicationProtocols: ["h2", "http/1.1"])
            configuration.http2 = true
            let proxy = try await FaultProxy.start(configuration)
            let dir = try PeerProcess.makeDirectory("h2-client")
            defer { try? FileManager.default.removeItem(at: dir) }
            let ca = dir.appendingPathComponent("ca.pem")
            try authority.rootCertificatePEM.write(to: ca, atomically: true, encoding: .utf8)
            let run = try await PeerProcess.runToEnd(
                executable: node, arguments: [InteropPeer.fixture("h2_front_client.js"), String(proxy.port), ca.path], within: .seconds(60))
            await proxy.shutdown()
            let out = run.output
            #expect(run.status == 0, "\(out)")
            #expect(out.contains("settings enableConnectProtocol=1"), "\(out)")
            #expect(out.contains("get 200 "), "\(out)")
            #expect(out.contains("post 200 length 100000 via=2 ws1011"), "a body of unknown length went upstream whole (chunked): \(out)")
            #expect(out.contains("stall-status 200"), "\(out)")
            let flushed = out.split(separator: "\n").first { $0.hasPrefix("stall-flushed ") }.flatMap { Int($0.dropFirst(14)) }
            let taken = try #require(flushed, "\(out)")
            // 64 MiB offered in 3 s; what the origin does not read stops at the socket buffers, the front's
            // write watermark and one stream window. Without back-pressure the front takes all of it.
            #expect(taken > 0 && taken < 24 << 20, "the stream took \(taken) bytes")
            let origins = origin.stdoutText
            // And the other way: an origin writing to a stream its client does not read is held back too.
            #expect(out.contains("flood-status 200"), "\(out)")
            let floodFlushed = origins.split(separator: "\n").first { $0.hasPrefix("flood-flushed ") }.flatMap { Int($0.dropFirst(14)) }
            let flooded = try #require(floodFlushed, "\(origins)")
            #expect(flooded > 0 && flooded < 24 << 20, "the origin's socket took \(flooded) bytes for a client that does not read")
            #expect(origins.contains("stall open"), "\(origins)")
            // The origin reads again 6 s after the open; the client reset the stream at about 4 s and keeps its
            // session until about 12 s: an end seen before then came from the reset.
            let closedMs = origins.split(separator: "\n").first { $0.hasPrefix("stall closed ") }.flatMap { Double($0.dropFirst(13)) }
            let closed = try #require(closedMs, "the origin's connection was closed: \(origins)")
            #expect(closed < 11_000, "closed \(closed) ms after the open, before the client's session ended")
        }
    }
}
