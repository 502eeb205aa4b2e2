import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// Front ends, load balancers and Cloud Run log full URLs: a credential the user kept in a header or gave by
/// `--token` must never be moved into the URL query of any request ws1011 makes (main attempt, direct run,
/// Origin retry, auth-channel matrix) unless `--auth-channels` names `query`; the report says which channels
/// were tried. Judged on the wire, by a server that records every request it receives.
@Suite("Hostile servers see the credential only in the channels the user chose")
struct HostileCredentialChannelTests {
    static let secret = "chan-S3cr3t-0123456789abcdefXYZ"

    /// Every request head received, in order.
    final class Requests: Sendable {
        private let heads = Mutex<[String]>([])
        func append(_ head: String) { heads.withLock { $0.append(head) } }
        var all: [String] { heads.withLock { $0 } }
    }

    /// Records each request and refuses it with a 401 (so the matrix and the retries run, and the run ends soon).
    static func recordingServer(_ requests: Requests) async throws -> HostileServer {
        try await HostileServer.start { peer in
            requests.append(try await peer.readRequest())
            try await peer.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
    }

    /// The request lines (`GET /ws?… HTTP/1.1`) that carry the secret in any form.
    static func requestLinesCarryingTheSecret(_ heads: [String]) -> [String] {
        let forms = [secret, Redactor.queryEncoded(secret), Redactor.base64url(secret)]
        return heads.compactMap { $0.split(separator: "\r\n").first.map(String.init) }.filter { line in forms.contains { line.contains($0) }
        }
    }

    func run(_ extra: [String], requests: Requests, server: HostileServer) async throws -> DiagnosisReport {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-channels-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let r = try await CLITests.run(
            [
                "diagnose", "ws://127.0.0.1:\(server.port)/ws", "--direct", "ws://127.0.0.1:\(server.port)/direct", "--message-timeout",
                "1s",
                "--json", json,
            ] + extra, timeout: .seconds(60))
        #expect(r.status == 1, "exit \(r.status)\n\(r.stdout)\n\(r.stderr)")
        return try JSONReportRenderer.decode(Data(contentsOf: URL(fileURLWithPath: json)))
    }

    /// The credential's arguments, and whether the auth-channel matrix runs for them (the plain profile with
    /// `--token` has one channel only: nothing to compare).
    @Test(
        "A credential given as a header or by --token never travels in the URL query unless named",
        arguments: [
            (["--header", "Authorization: Bearer \(secret)"], true),
            (["--token", secret], false),
            (["--token", secret, "--profile", "reference"], true),
        ])
    func theQueryIsNeverChosenForTheUser(_ credential: [String], matrix: Bool) async throws {
        let requests = Requests()
        let server = try await Self.recordingServer(requests)
        defer { Task { await server.stop() } }
        let report = try await run(credential, requests: requests, server: server)
        let heads = requests.all
        // The credential did reach the server, in a channel the user chose.
        #expect(heads.contains { $0.contains(Self.secret) }, "no request carried the credential:\n\(heads.joined(separator: "\n\n"))")
        #expect(
            Self.requestLinesCarryingTheSecret(heads).isEmpty,
            "the credential was put in a URL:\n\(Self.requestLinesCarryingTheSecret(heads))")
        // The report says which channels were tried: never the query.
        #expect((report.authChannels != nil) == matrix, "\(String(describing: report.authChannels))")
        let channels = report.authChannels ?? []
        #expect(!channels.contains { $0.channel == .query }, "\(channels.map(\.channel))")
    }

    /// The control: named, the query is used and reported, so the detector above is not blind.
    @Test("--auth-channels naming query puts the credential in the query and says so")
    func theQueryIsUsedWhenNamed() async throws {
        let requests = Requests()
        let server = try await Self.recordingServer(requests)
        defer { Task { await server.stop() } }
        let report = try await run(
            ["--header", "Authorization: Bearer \(Self.secret)", "--auth-channels", "header,query"], requests: requests, server: server)
        #expect(!Self.requestLinesCarryingTheSecret(requests.all).isEmpty, "the named query channel was not used")
        let channels = try #require(report.authChannels)
        #expect(channels.contains { $0.channel == .query })
    }
}
