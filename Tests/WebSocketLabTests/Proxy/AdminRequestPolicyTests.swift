import Testing

@testable import WebSocketLab

/// The admin API's request checks without a socket: which Host names each kind of listener accepts, and what a
/// change needs.
@Suite("Fault proxy admin API: request policy")
struct AdminRequestPolicyTests {
    func check(_ policy: AdminRequestPolicy, _ method: String, _ headers: [(String, String)]) -> Int? {
        policy.check(method: method, headers: headers.map { (name: $0.0, value: $0.1) })?.status
    }

    @Test func aLoopbackListenerAcceptsItsLoopbackNamesOnItsPortOnly() {
        let policy = AdminRequestPolicy(listenHost: "127.0.0.1", port: 9090, machineName: "buildbox")
        for host in ["127.0.0.1:9090", "localhost:9090", "[::1]:9090", "Localhost:9090"] { #expect(policy.accepts(host: host), "\(host)") }
        for host in [
            "buildbox:9090", "192.168.1.20:9090", "evil.example:9090", "127.0.0.1:9091", "127.0.0.1:09090", "127.0.0.1",
            "127.0.0.1:", "localhost.:9090", "[::1]9090", "::1:9090", "127.0.0.1:9090 ", "127.0.0.1:99999",
        ] {
            #expect(!policy.accepts(host: host), "\(host)")
        }
        let v6 = AdminRequestPolicy(listenHost: "::1", port: 9090, machineName: nil)
        #expect(v6.accepts(host: "[::1]:9090"))
        #expect(v6.accepts(host: "[0:0:0:0:0:0:0:1]:9090"))
        #expect(v6.ownAuthority == "[::1]:9090")
    }

    @Test func aWildcardListenerAcceptsThisMachinesAddressesAndNameButNoOtherName() {
        let policy = AdminRequestPolicy(listenHost: "0.0.0.0", port: 9090, machineName: "buildbox")
        for host in ["192.168.1.20:9090", "[fd00::1]:9090", "buildbox:9090", "localhost:9090", "127.0.0.1:9090"] {
            #expect(policy.accepts(host: host), "\(host)")
        }
        for host in ["rebind.evil.example:9090", "192.168.1.20:9091", "192.168.1.20", "buildbox.evil.example:9090"] {
            #expect(!policy.accepts(host: host), "\(host)")
        }
        #expect(policy.ownAuthority == "127.0.0.1:9090", "a wildcard is written as an address a client can use")
    }

    @Test func aSpecificAddressAcceptsOnlyThatAddress() {
        let policy = AdminRequestPolicy(listenHost: "192.0.2.7", port: 80, machineName: "buildbox")
        #expect(policy.accepts(host: "192.0.2.7"), "no port means 80")
        #expect(policy.accepts(host: "192.0.2.7:80"))
        #expect(!policy.accepts(host: "localhost"))
        #expect(!policy.accepts(host: "buildbox"))
    }

    @Test func changesNeedJSONWithoutATokenAndTheTokenWithOne() {
        let open = AdminRequestPolicy(listenHost: "127.0.0.1", port: 9090)
        let host = ("Host", "127.0.0.1:9090")
        #expect(check(open, "GET", [host]) == nil)
        #expect(check(open, "POST", [host]) == 415)
        #expect(check(open, "POST", [host, ("Content-Type", "text/plain")]) == 415)
        #expect(check(open, "POST", [host, ("Content-Type", "application/json; charset=utf-8")]) == nil)
        #expect(check(open, "DELETE", [host, ("content-type", "Application/JSON")]) == nil)
        #expect(check(open, "POST", [host, ("Content-Type", "application/json"), ("Content-Type", "text/plain")]) == 415)
        #expect(check(open, "PUT", [host, ("Content-Type", "application/jsonp")]) == 415)

        let locked = AdminRequestPolicy(listenHost: "127.0.0.1", port: 9090, token: "s3cret-token")
        #expect(check(locked, "GET", [host]) == nil)
        #expect(check(locked, "POST", [host, ("Content-Type", "application/json")]) == 401)
        #expect(check(locked, "POST", [host, ("Authorization", "Bearer s3cret-tokeN")]) == 401)
        #expect(check(locked, "POST", [host, ("Authorization", "Basic s3cret-token")]) == 401)
        #expect(check(locked, "POST", [host, ("Authorization", "Bearer s3cret-token")]) == nil)
        #expect(check(locked, "POST", [host, ("Authorization", "bearer  s3cret-token ")]) == nil)
        let refusal = locked.check(
            method: "POST", headers: [(name: "Host", value: "127.0.0.1:9090"), (name: "Authorization", value: "Bearer x")])
        #expect(refusal?.message.contains("s3cret-token") == false)
    }

    @Test func hostAndOriginProblemsAreNamedWithControlCharactersVisible() {
        let policy = AdminRequestPolicy(listenHost: "127.0.0.1", port: 9090)
        let refusal = policy.check(method: "GET", headers: [(name: "Host", value: "\u{1b}]0;pwned\u{07}:9090")])
        #expect(refusal?.status == 403)
        #expect(refusal?.message.contains("\u{1b}") == false)
        #expect(refusal?.message.contains("\\u{1b}") == true)
        #expect(check(policy, "GET", [("Host", "127.0.0.1:9090"), ("Origin", "http://127.0.0.1:9090")]) == nil)
        #expect(check(policy, "GET", [("Host", "127.0.0.1:9090"), ("Origin", "https://127.0.0.1:9090")]) == 403)
        #expect(check(policy, "GET", [("Host", "127.0.0.1:9090"), ("Origin", "http://localhost:9090")]) == 403)
        #expect(check(policy, "GET", [("Host", "127.0.0.1:9090"), ("Host", "127.0.0.1:9090")]) == 400)
    }

    @Test func commandsParseFromMethodPathAndBody() {
        #expect(AdminCommand.parse(method: "GET", uri: "/faults?x=1", body: []) == .success(.listFaults))
        #expect(
            AdminCommand.parse(method: "POST", uri: "/faults", body: Array(#"{"name":"latency","parameters":{"delay":"5ms"}}"#.utf8))
                == .success(.addFault(FaultSpec(name: "latency", parameters: ["delay": "5ms"]))))
        #expect(
            AdminCommand.parse(method: "POST", uri: "/faults", body: Array(#""idle-timeout:after=2s""#.utf8))
                == .success(.addFault(FaultSpec(name: "idle-timeout", parameters: ["after": "2s"]))))
        #expect(AdminCommand.parse(method: "DELETE", uri: "/faults/drop%2Dpongs", body: []) == .success(.removeFault("drop-pongs")))
        #expect(AdminCommand.parse(method: "POST", uri: "/reset", body: []) == .success(.reset))
        #expect(AdminCommand.parse(method: "GET", uri: "/metrics", body: []) == .success(.metrics))
        guard case .failure(let notAllowed) = AdminCommand.parse(method: "PUT", uri: "/faults", body: []),
            case .failure(let unknown) = AdminCommand.parse(method: "GET", uri: "/\u{1b}[2J", body: []),
            case .failure(let empty) = AdminCommand.parse(method: "POST", uri: "/faults", body: [])
        else {
            Issue.record("expected refusals")
            return
        }
        #expect(notAllowed.status == 405)
        #expect(unknown.status == 404)
        #expect(!unknown.message.contains("\u{1b}"))
        #expect(empty.status == 400)
    }
}
