import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// Servers that echo the request back — in a 401 body, a reason phrase, headers, frames and a close
/// reason, raw and decoded, as debug error pages and "invalid token: …" messages do — must not carry a
/// credential into any output: stdout, stderr, the JSON report or the JUnit report, for every channel a
/// credential can travel by.
@Suite("Hostile servers that echo the credential back")
struct HostileEchoSecretTests {
    /// A credential whose forms all differ (raw, percent-encoded, base64 and base64url), long enough that
    /// every cut the client makes (64-character previews, 123-byte close reasons, 200-character details)
    /// falls inside it.
    static let secret = "s3cr3T/tok+en=9~Z!q" + "Lr8QvX2mKp7WzN4tYb6HcJ1dFg5sAe3u"

    /// The forms a leak would take: raw, percent-encoded (as ws1011 and common clients write it),
    /// base64 (padded and not) and base64url.
    static var forms: [String] {
        let base64 = Data(secret.utf8).base64EncodedString()
        return [
            secret,
            secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
            Redactor.queryEncoded(secret),
            base64, base64.replacingOccurrences(of: "=", with: ""),
            Redactor.base64url(secret),
        ]
    }

    /// Every candidate credential in a request: query values, the Authorization credential, subprotocol
    /// entries (and their base64url-decoded form), each as the server saw it and decoded.
    static func candidates(in request: String, peer: HostilePeer) -> [String] {
        var found: [String] = []
        let line = request.split(separator: "\r\n").first.map(String.init) ?? ""
        if let q = line.firstIndex(of: "?") {
            let query = line[line.index(after: q)...].split(separator: " ").first ?? ""
            for pair in query.split(separator: "&") {
                if let eq = pair.firstIndex(of: "=") { found.append(String(pair[pair.index(after: eq)...])) }
            }
        }
        if let auth = peer.header("Authorization"), let space = auth.firstIndex(of: " ") {
            found.append(String(auth[auth.index(after: space)...]))
        }
        for entry in (peer.header("Sec-WebSocket-Protocol") ?? "").split(separator: ",") {
            let e = entry.trimmingCharacters(in: .whitespaces)
            found.append(e)
            if e.hasPrefix("jwt."), let decoded = Self.base64urlDecode(String(e.dropFirst(4))) { found.append(decoded) }
        }
        var all: [String] = []
        for c in found {
            all.append(c)
            if let decoded = c.removingPercentEncoding { all.append(decoded) }
        }
        return all
    }

    static func base64urlDecode(_ s: String) -> String? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        return Data(base64Encoded: b).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func jsonEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
            of: "/", with: "\\/"
        )
        .replacingOccurrences(of: "\r\n", with: "\\r\\n")
    }

    /// Echoes the request: a 401 whose reason phrase, headers and body quote it (path `/reject`), or a
    /// 101 that echoes the first subprotocol entry and headers, then frames and a close reason that quote it.
    static func echoingServer() async throws -> HostileServer {
        try await HostileServer.start { peer in
            let request = try await peer.readRequest()
            let line = request.split(separator: "\r\n").first.map(String.init) ?? ""
            let candidates = Self.candidates(in: request, peer: peer)
            var quotes = [request, request.removingPercentEncoding ?? request, Self.jsonEscaped(request)]
            for c in candidates {
                quotes += [
                    "invalid token: \(c)", "token \(Data(c.utf8).base64EncodedString())", #"{"error":"bad token \#(Self.jsonEscaped(c))"}"#,
                ]
            }
            let echoedHeaders = [
                "X-Echo-Request-Line: \(line)",
                "X-Echo-Authorization: \(peer.header("Authorization") ?? "-")",
                "X-Echo-Protocols: \(peer.header("Sec-WebSocket-Protocol") ?? "-")",
                #"WWW-Authenticate: Bearer error="invalid_token", error_description="\#(candidates.first ?? "-")""#,
            ]
            if line.contains("/reject") {
                let body = quotes.joined(separator: "\n")
                let head =
                    (["HTTP/1.1 401 Unauthorized \(line)"] + echoedHeaders + ["Content-Length: \(body.utf8.count)", "Connection: close"])
                    .joined(separator: "\r\n") + "\r\n\r\n"
                try await peer.write(head + body)
                return
            }
            var extra = echoedHeaders
            if let first = peer.header("Sec-WebSocket-Protocol")?.split(separator: ",").first {
                // The exact token-bearing entry echoed as the selected subprotocol, as some servers do.
                extra.append("Sec-WebSocket-Protocol: \(first.trimmingCharacters(in: .whitespaces))")
            }
            try await peer.acceptUpgrade(extra: extra)
            var frames: [UInt8] = []
            // First an application error that quotes the credential across the 200th character, where a
            // step detail is cut.
            let padding = String(repeating: "x", count: 170)
            frames += HostileFrame.frame(
                0x1, Array(#"{"type":"error","message":"\#(padding) invalid token: \#(Self.jsonEscaped(candidates.first ?? "-"))"}"#.utf8))
            for quote in quotes { frames += HostileFrame.frame(0x1, Array(quote.utf8)) }
            let reason = Array(("invalid token: " + (candidates.first ?? "-")).utf8.prefix(120))
            frames += HostileFrame.frame(0x8, [0x03, 0xF0] + reason)
            try await peer.write(frames)
            await peer.drain()
        }
    }

    /// Serves an auth endpoint that answers 401 quoting the whole request (for `--auth-url`), or on
    /// `/auth/issue` a 200 whose `access_token` is the credential (a token ws1011 learns from the service).
    static func echoingAuthService() async throws -> HostileServer {
        try await HostileServer.start { peer in
            let request = try await peer.readRequest()
            if request.hasPrefix("POST /auth/issue") {
                let body = #"{"access_token":"\#(Self.jsonEscaped(secret))","token_type":"Bearer"}"#
                try await peer.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                )
                return
            }
            let body = "unauthorized request:\n\(request)\n\(request.removingPercentEncoding ?? "")"
            try await peer.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
    }

    /// One way a credential is given to `ws1011 diagnose`.
    struct Channel: Sendable, CustomTestStringConvertible {
        var name: String
        /// The arguments, given the WebSocket server's and the auth service's ports and the path.
        var arguments: @Sendable (_ port: Int, _ authPort: Int, _ path: String) -> [String]
        var environment: [String: String] = [:]
        var stdin: String? = nil
        /// The run's bounds (a token fetch is bounded by their sum).
        var bounds = ["--message-timeout", "1s", "--connect-timeout", "3s"]
        var testDescription: String { name }
    }

    static let tokenFile: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-echo-token-\(getpid())").path
        _ = FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8))
        return path
    }()

    static let channels: [Channel] = {
        let q = Redactor.queryEncoded(secret)
        return [
            Channel(name: "?token=") { p, _, path in ["ws://127.0.0.1:\(p)\(path)?room=1&token=\(q)"] },
            Channel(name: "?access_token=") { p, _, path in ["ws://127.0.0.1:\(p)\(path)?access_token=\(q)"] },
            Channel(name: "?api_key=") { p, _, path in ["ws://127.0.0.1:\(p)\(path)?api_key=\(q)"] },
            Channel(name: "Authorization: Bearer, matrix with the query") { p, _, path in
                [
                    "ws://127.0.0.1:\(p)\(path)", "--header", "Authorization: Bearer \(secret)", "--auth-channels",
                    "subprotocol,header,query",
                ]
            },
            Channel(name: "--token") { p, _, path in ["ws://127.0.0.1:\(p)\(path)", "--token", secret] },
            Channel(name: "--token, reference profile (subprotocol and header)") { p, _, path in
                ["ws://127.0.0.1:\(p)\(path)", "--token", secret, "--profile", "reference"]
            },
            Channel(name: "--token-file") { p, _, path in ["ws://127.0.0.1:\(p)\(path)", "--token-file", tokenFile] },
            Channel(
                name: "WS1011_TOKEN", arguments: { p, _, path in ["ws://127.0.0.1:\(p)\(path)"] }, environment: ["WS1011_TOKEN": secret]),
            Channel(name: "jwt.<token> subprotocol") { p, _, path in
                ["ws://127.0.0.1:\(p)\(path)", "--subprotocol", "jwt." + Redactor.base64url(secret)]
            },
            Channel(name: "--auth-url ?client_secret=") { p, a, path in
                [
                    "ws://127.0.0.1:\(p)\(path)", "--auth-url", "http://127.0.0.1:\(a)/auth/token?client_secret=\(q)", "--user",
                    "u@example.com",
                ]
            },
            Channel(
                name: "token issued by --auth-url",
                arguments: { p, a, path in
                    ["ws://127.0.0.1:\(p)\(path)", "--auth-url", "http://127.0.0.1:\(a)/auth/issue", "--user", "u@example.com"]
                },
                // The fetch is bounded by connect + message timeout: generous, so that a busy machine does not end it.
                bounds: ["--message-timeout", "1s", "--connect-timeout", "15s"]),
            Channel(name: "userinfo in the URL") { p, _, path in ["ws://probe:\(q)@127.0.0.1:\(p)\(path)"] },
        ]
    }()

    @Test("No form of the credential reaches any output", arguments: channels, ["/reject", "/accept"])
    func noFormOfTheCredentialLeaks(_ channel: Channel, path: String) async throws {
        let server = try await Self.echoingServer()
        let auth = try await Self.echoingAuthService()
        defer {
            Task {
                await server.stop(); await auth.stop()
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-echo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("report.json").path, junit = dir.appendingPathComponent("report.xml").path
        let html = dir.appendingPathComponent("report.html").path
        let arguments =
            ["diagnose"] + channel.arguments(server.port, auth.port, path)
            + channel.bounds + ["--json", json, "--junit", junit, "--html", html]
        let r = try await CLITests.run(arguments, environment: channel.environment)
        // Refused before any connection: credentials in the URL, and a token service that answers 401.
        let refusedEarly = channel.name.hasPrefix("userinfo") || channel.name.hasPrefix("--auth-url ?client_secret=")
        #expect(r.status == (refusedEarly ? 2 : 1), "exit \(r.status)\n\(r.stdout)\n\(r.stderr)")
        let outputs = [
            ("stdout", r.stdout), ("stderr", r.stderr),
            ("--json", (try? String(contentsOfFile: json, encoding: .utf8)) ?? ""),
            ("--junit", (try? String(contentsOfFile: junit, encoding: .utf8)) ?? ""),
            ("--html", (try? String(contentsOfFile: html, encoding: .utf8)) ?? ""),
        ]
        // The run reached the server and reported (unless the credential was refused before any connection).
        if r.status == 1 {
            #expect(outputs[2].1.contains("ws1011.report/1"), "no JSON report written")
            #expect(outputs[4].1.contains(#"<section id="verdict""#), "no HTML report written")
        }
        for (name, text) in outputs {
            for form in Self.forms where text.contains(form) {
                Issue.record("\(name) carries the credential as '\(form)':\n\(text)")
            }
        }
    }
}
