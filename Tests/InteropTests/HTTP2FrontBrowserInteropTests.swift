import Foundation
import Testing
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// The lab's HTTP/2 front (`ws1011 proxy --http2`) with a client no one here wrote: headless Chromium loads a
/// page from an HTTP/1.1 origin (Node, `Fixtures/interop/h2_browser_page_server.js`) through the front over
/// HTTP/2, and the page opens `new WebSocket('wss://…')` to the same origin. Chromium opens it over the existing
/// HTTP/2 connection (RFC 8441) because the front advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`: through
/// the working front it opens and echoes; through `h2-connect-broken` it fails with 1006 and never falls back
/// to HTTP/1.1 — while an HTTP/1.1 client on the same port works. The browser-only failure, for real.
@Suite("Interop: headless Chromium through the lab's HTTP/2 front (WebSockets over HTTP/2)")
struct HTTP2FrontBrowserInteropTests {
    /// The Node origin behind a front that serves HTTP/2 with `faults`; `body` gets the front's port, the leaf
    /// certificate's SPKI pin for Chromium, the origin, and the lab CA's root.
    static func withFront<T>(faults: [String], _ body: (Int, String, PeerProcess, String) async throws -> T) async throws -> T {
        let node = try InteropPeer.nodeHTTP2.require()
        let authority = try LabCertificateAuthority.generate()
        let pin = try await Self.spkiPin(authority.serverIdentity(.valid).certificateChainPEM[0])
        return try await PeerProcess.startListening(name: "node page origin", executable: node) { _, port in
            [InteropPeer.fixture("h2_browser_page_server.js"), String(port)]
        }.run { origin in
            var configuration = ProxyConfiguration(
                upstreams: [ProxyUpstream(host: "127.0.0.1", port: origin.port)], faults: try faults.map { try FaultSpec(parsing: $0) })
            configuration.tls = try authority.makeServerContext(.valid, applicationProtocols: ["h2", "http/1.1"])
            configuration.http2 = true
            let proxy = try await FaultProxy.start(configuration)
            do {
                let result = try await body(proxy.port, pin, origin, authority.rootCertificatePEM)
                await proxy.shutdown()
                return result
            } catch {
                await proxy.shutdown()
                throw error
            }
        }
    }

    /// base64(SHA-256(SubjectPublicKeyInfo)) of `certificatePEM`, as `--ignore-certificate-errors-spki-list`
    /// takes it: Chromium then trusts the lab's leaf (and only it) without a certificate database.
    static func spkiPin(_ certificatePEM: String) async throws -> String {
        let openssl = try InteropPeer.openssl.require()
        let dir = try PeerProcess.makeDirectory("spki")
        defer { try? FileManager.default.removeItem(at: dir) }
        let leaf = dir.appendingPathComponent("leaf.pem")
        try certificatePEM.write(to: leaf, atomically: true, encoding: .utf8)
        let script =
            "'\(openssl)' x509 -in '\(leaf.path)' -pubkey -noout | '\(openssl)' pkey -pubin -outform der | '\(openssl)' dgst -sha256 -binary | base64"
        let run = try await PeerProcess.runToEnd(executable: "/bin/sh", arguments: ["-c", script], within: .seconds(30))
        let pin = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard run.status == 0, pin.count == 44 else { throw InteropError("cannot compute the SPKI pin: \(run.output)") }
        return pin
    }

    /// Loads `https://127.0.0.1:PORT/` in headless Chromium and returns the page's result line (how its
    /// WebSocket went) from the DOM.
    static func browse(port: Int, pin: String) async throws -> String {
        let chromium = try InteropPeer.chromium.require()
        let profile = try PeerProcess.makeDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        let dom = try await BrowserSlot.shared.run {
            try await PeerProcess.runToEnd(
                executable: chromium,
                arguments: [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                    "--ignore-certificate-errors-spki-list=\(pin)", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    "--dump-dom", "https://127.0.0.1:\(port)/",
                ],
                within: .seconds(90))
        }
        let line = dom.output.split(separator: "\n").first { $0.contains(#"<pre id="result">"#) }
        guard dom.status == 0, let line else {
            throw InteropError("Chromium printed no result (status \(dom.status)): \(dom.output.suffix(2000))")
        }
        return String(line).replacingOccurrences(of: #"<pre id="result">"#, with: "").replacingOccurrences(of: "</pre>", with: "")
    }

    @Test(
        "Chromium loads the page over HTTP/2 and opens its WebSocket over the same HTTP/2 connection through the front: open, echo, close 1000",
        .enabled(if: InteropPeer.shouldRun(.chromium, .nodeHTTP2, .openssl), InteropPeer.reason(.chromium, .nodeHTTP2, .openssl)),
        .timeLimit(.minutes(3)))
    func chromiumOpensItsWebSocketOverHTTP2ThroughTheFront() async throws {
        try await Self.withFront(faults: []) { port, pin, origin, _ in
            let result = try await Self.browse(port: port, pin: pin)
            #expect(result == "open echo:hello from chromium close:1000", "\(origin.stdoutText)")
            // The front marks what reached it over HTTP/2 (`Via: 2 ws1011`): the page and the upgrade both did.
            #expect(origin.stdoutText.contains("page via=2 ws1011"), "\(origin.stdoutText)")
            #expect(origin.stdoutText.contains("upgrade via=2 ws1011"), "\(origin.stdoutText)")
            #expect(origin.stdoutText.contains("message hello from chromium"), "\(origin.stdoutText)")
        }
    }

    @Test(
        "Chromium through a front that advertises the setting and breaks the extended CONNECT fails with 1006 and does not fall back, while HTTP/1.1 on the port works",
        .enabled(if: InteropPeer.shouldRun(.chromium, .nodeHTTP2, .openssl), InteropPeer.reason(.chromium, .nodeHTTP2, .openssl)),
        .timeLimit(.minutes(3)),
        arguments: ["h2-connect-broken:status=502", "h2-connect-broken:mode=reset", "h2-connect-broken:mode=accept-reset"])
    func chromiumFailsThroughTheBrokenFront(fault: String) async throws {
        try await Self.withFront(faults: [fault]) { port, pin, origin, root in
            let result = try await Self.browse(port: port, pin: pin)
            #expect(result.hasSuffix("close:1006"), "\(fault): \(result)")
            #expect(!result.contains("echo:"), "\(fault): \(result)")
            #expect(origin.stdoutText.contains("page via=2 ws1011"), "the page itself came over HTTP/2: \(origin.stdoutText)")
            #expect(!origin.stdoutText.contains("upgrade"), "no upgrade reached the origin, over HTTP/2 or HTTP/1.1: \(origin.stdoutText)")

            // A CLI client over HTTP/1.1 on the same port works.
            var configuration = try Probe.configuration("wss://127.0.0.1:\(port)/ws")
            configuration.tls.trustRootsPEM = [root]
            let client = await WebSocketConnection.connect(configuration)
            #expect(await client.isOpen, "HTTP/1.1 through the same front works")
            await client.send(text: "from the CLI")
            #expect(await client.receive() == .text("from the CLI"))
            await client.close()
            #expect(origin.stdoutText.contains("upgrade via=-"), "the CLI's upgrade came over HTTP/1.1: \(origin.stdoutText)")
        }
    }
}
