import Foundation
import NIOSSL
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// A misbehaving server per case against the ws1011 client with short bounds: each ends in a typed finding
/// and a closed or failed connection within the bounds — no crash, no hang.
@Suite("Hostile servers against the client")
struct HostileServerTests {
    /// The client's bounds in these tests; the whole case must end within ``caseBound``.
    static func configuration(port: Int, secure: Bool) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "\(secure ? "wss" : "ws")://127.0.0.1:\(port)/ws"))
        configuration.timeouts.connect = .seconds(2)
        configuration.timeouts.tlsHandshake = .milliseconds(1500)
        // The upgrade bound is not what these cases test (each checks its typed finding): 4 s leaves a hostile
        // script that shares a busy runner with 31 other cases the time to write its answer (2.5 s did not, once
        // in six busy runs). The two cases that never answer end at it, well inside ``caseBound``.
        configuration.timeouts.upgrade = .seconds(4)
        configuration.timeouts.message = .seconds(1)
        configuration.timeouts.close = .seconds(1)
        return configuration
    }

    /// The lab's CA: the real-TLS cases serve its `valid` identity and the client trusts its root.
    static let authority: LabCertificateAuthority? = try? LabCertificateAuthority.generate()

    /// Upgrade bound + receive loop + close bound + slack.
    static let caseBound: Duration = .seconds(8)

    @Test("The client ends every hostile server's connection with a typed outcome within its bounds", arguments: HostileServerCase.all)
    func hostileServer(_ hostile: HostileServerCase) async throws {
        var tls: NIOSSLContext?
        if hostile.tlsServer {
            let authority = try #require(Self.authority, "the lab CA could not be generated")
            tls = try authority.makeServerContext(.valid)
        }
        _ = HostileServerCase.oversizedHead  // built before any clock starts
        let server = try await HostileServer.start(tls: tls, hostile.script)
        defer { Task { await server.stop() } }
        var configuration = try Self.configuration(port: server.port, secure: hostile.secure)
        if hostile.tlsServer, let root = Self.authority?.rootCertificatePEM { configuration.tls.trustRootsPEM = [root] }
        hostile.configure(&configuration)

        let started = ContinuousClock.now
        let connection = await WebSocketConnection.connect(configuration)
        // Read until the connection ends (or 3 s pass), then close: bounded either way.
        while await connection.isOpen, ContinuousClock.now - started < .seconds(3) {
            if case .closed = await connection.receive(timeout: .milliseconds(500)) { break }
        }
        await connection.close()
        let elapsed = ContinuousClock.now - started
        let transcript = await connection.transcript()
        await server.stop()

        let codes = transcript.findings.map(\.code)
        #expect(elapsed < Self.caseBound, "took \(elapsed), bound \(Self.caseBound)")
        #expect(await !connection.isOpen)
        #expect(transcript.close.transportEnd != .stillOpen)
        if let finding = hostile.finding {
            #expect(codes.contains(finding), "findings: \(codes.map(\.rawValue)); failure: \(transcript.failure?.detail ?? "none")")
        }
        if let kind = hostile.failureKind {
            #expect(transcript.failure?.kind == kind, "failure: \(transcript.failure.map { "\($0.kind): \($0.detail)" } ?? "none")")
        } else {
            #expect(transcript.failure == nil, "unexpected failure \(transcript.failure.map { "\($0.kind): \($0.detail)" } ?? "")")
        }
        if let code = hostile.sentCloseCode {
            #expect(transcript.close.sent?.code == code, "client sent close \(transcript.close.sent?.code.map(String.init) ?? "none")")
        }
        if let code = hostile.receivedCloseCode {
            #expect(transcript.close.received?.code == code)
        }
        for problem in hostile.check(transcript) { Issue.record(Comment(rawValue: problem)) }
        // And a verdict: the classifier takes whatever the hostile peer left in the transcript.
        let verdict = FailureClassifier.classify(ClassificationInput(transcript: transcript))
        #expect(!verdict.summary.isEmpty)
        if hostile.failureKind != nil {
            #expect(verdict.layer != .healthy, "verdict \(verdict.cause): \(verdict.summary)")
        }
        // Whatever the peer declared, nothing recorded claims more than what crossed the socket.
        #expect(transcript.wire.bytesIn < 4 << 20)
    }

    @Test("The hostile-server table covers at least 30 distinct misbehaviours")
    func tableSize() {
        let names = Set(HostileServerCase.all.map(\.name))
        #expect(names.count == HostileServerCase.all.count)
        #expect(names.count >= 30)
    }
}
