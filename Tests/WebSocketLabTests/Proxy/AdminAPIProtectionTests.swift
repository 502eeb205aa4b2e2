import Foundation
import Testing
import WebSocketProbe

@testable import WebSocketLab

/// What a web page in the user's browser, or a host on the network, can do to the admin API on real loopback
/// sockets: a simple cross-origin POST, a DNS-rebinding Host, a foreign Origin, a missing or wrong token.
@Suite("Fault proxy admin API: protection")
struct AdminAPIProtectionTests {
    @Test func aSimpleCrossSitePostWithTextPlainInstallsNoFault() async throws {
        let h = try await ProxyHarness.start { $0.adminPort = 0 }
        let admin = try #require(h.proxy.adminPort)
        // What an HTML form or fetch(…, {mode: "no-cors"}) sends without a preflight.
        let plain = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: "blackhole", headers: ["Content-Type": "text/plain"])
        #expect(plain.status == 415, "\(plain)")
        #expect(plain.body.contains("Content-Type: application/json"), "\(plain.body)")
        let none = try await ProxyTestHTTP.request(port: admin, "POST", "/reset")
        #expect(none.status == 415, "\(none)")
        let form = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: "name=blackhole", headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415)
        #expect(h.proxy.faultSpecs.isEmpty)
        await h.stop()
    }

    @Test func aRequestFromAnotherOriginIsRefusedEvenWithJSON() async throws {
        let h = try await ProxyHarness.start { $0.adminPort = 0 }
        let admin = try #require(h.proxy.adminPort)
        let evil = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: #"{"name":"blackhole"}"#,
            headers: ["Content-Type": "application/json", "Origin": "http://evil.example"])
        #expect(evil.status == 403, "\(evil)")
        #expect(evil.body.contains("Origin"), "\(evil.body)")
        #expect(evil.body.contains("evil.example"))
        let null = try await ProxyTestHTTP.request(port: admin, "GET", "/faults", headers: ["Origin": "null"])
        #expect(null.status == 403)
        // The admin API's own origin is fine.
        let own = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: #"{"name":"latency","parameters":{"delay":"1ms"}}"#,
            headers: ["Content-Type": "application/json", "Origin": "http://127.0.0.1:\(admin)"])
        #expect(own.status == 201, "\(own)")
        #expect(h.proxy.faultSpecs.map(\.name) == ["latency"])
        await h.stop()
    }

    @Test func aHostThatIsNotTheListenAddressIsRefusedAndNamed() async throws {
        let h = try await ProxyHarness.start { $0.adminPort = 0 }
        let admin = try #require(h.proxy.adminPort)
        // DNS rebinding: the page's own name, re-resolved to 127.0.0.1, arrives in Host.
        for host in ["rebind.evil.example:\(admin)", "127.0.0.1:\(admin + 1 > 65535 ? 1 : admin + 1)", "127.0.0.1", "10.0.0.1:\(admin)"] {
            let read = try await ProxyTestHTTP.request(port: admin, "GET", "/faults", headers: ["Host": host])
            #expect(read.status == 403, "Host \(host): \(read)")
            #expect(read.body.contains("Host"), "\(read.body)")
            #expect(read.body.contains("DNS rebinding"), "\(read.body)")
            #expect(read.body.contains("127.0.0.1:\(admin)"), "the body says which address to use: \(read.body)")
            let write = try await ProxyTestHTTP.request(
                port: admin, "POST", "/faults", body: #"{"name":"blackhole"}"#, headers: ["Host": host, "Content-Type": "application/json"])
            #expect(write.status == 403)
        }
        let missing = try await ProxyTestHTTP.request(port: admin, "GET", "/faults", headers: ["Host": nil])
        #expect(missing.status == 400, "\(missing)")
        #expect(missing.body.contains("Host"))
        for host in ["localhost:\(admin)", "127.0.0.1:\(admin)", "LOCALHOST:\(admin)"] {
            #expect(try await ProxyTestHTTP.request(port: admin, "GET", "/faults", headers: ["Host": host]).status == 200, "Host \(host)")
        }
        #expect(h.proxy.faultSpecs.isEmpty)
        await h.stop()
    }

    @Test func withATokenChangesNeedItAndReadsDoNot() async throws {
        let token = "admin-token-\(UUID().uuidString)"
        let h = try await ProxyHarness.start {
            $0.adminPort = 0
            $0.adminToken = token
        }
        let admin = try #require(h.proxy.adminPort)
        let without = try await ProxyTestHTTP.requestWithHead(
            port: admin, "POST", "/faults", body: #"{"name":"blackhole"}"#, headers: ProxyTestHTTP.json)
        #expect(without.status == 401, "\(without)")
        #expect(without.head.lowercased().contains("www-authenticate: bearer"), "\(without.head)")
        #expect(without.body.contains("Authorization: Bearer"))
        let wrong = try await ProxyTestHTTP.request(
            port: admin, "DELETE", "/faults/latency", headers: ["Authorization": "Bearer \(token)x", "Content-Type": "application/json"])
        #expect(wrong.status == 401)
        for response in [without.body, wrong.body] { #expect(!response.contains(token)) }
        #expect(h.proxy.faultSpecs.isEmpty)
        // With the token, a bare spec in text/plain is fine (curl -d), and reads need none.
        let with = try await ProxyTestHTTP.request(
            port: admin, "POST", "/faults", body: "drop-pongs", headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain"])
        #expect(with.status == 201, "\(with)")
        #expect(h.proxy.faultSpecs.map(\.name) == ["drop-pongs"])
        #expect(try await ProxyTestHTTP.request(port: admin, "GET", "/faults").status == 200)
        #expect(try await ProxyTestHTTP.request(port: admin, "GET", "/metrics").status == 200)
        // A foreign Origin is refused even with the token.
        let crossWithToken = try await ProxyTestHTTP.request(
            port: admin, "POST", "/reset", headers: ["Authorization": "Bearer \(token)", "Origin": "https://evil.example"])
        #expect(crossWithToken.status == 403)
        #expect(h.proxy.faultSpecs.map(\.name) == ["drop-pongs"])
        await h.stop()
    }
}
