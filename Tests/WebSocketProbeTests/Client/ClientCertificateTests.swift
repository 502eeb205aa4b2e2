import Foundation
import Testing
import WebSocketLab

@testable import WebSocketProbe

/// The client certificate files (`--cert`, `--key`) and the reading of a server's CertificateRequest.
@Suite("Client certificates: files and the server's request")
struct ClientCertificateTests {
    /// Writes `files` into a fresh directory and passes it to `body`.
    func withFiles(_ files: [String: String], _ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-client-cert-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        try body(directory)
    }

    @Test func aCertificateAndItsKeyLoadAndNameTheSubject() throws {
        let identity = try LabCertificateAuthority.generate().serverIdentity(.valid)
        try withFiles(["cert.pem": identity.certificateChainPEM.joined(separator: "\n"), "key.pem": identity.privateKeyPEM]) { d in
            let loaded = try ClientIdentity.load(
                certificateFile: d.appendingPathComponent("cert.pem").path, keyFile: d.appendingPathComponent("key.pem").path)
            #expect(loaded.chain.count == identity.certificateChainPEM.count)
            #expect(loaded.summary.contains("CN="), "\(loaded.summary)")
            // One file holding both, as curl's --cert accepts.
            try (identity.certificateChainPEM.joined(separator: "\n") + "\n" + identity.privateKeyPEM)
                .write(to: d.appendingPathComponent("both.pem"), atomically: true, encoding: .utf8)
            #expect(throws: Never.self) {
                try ClientIdentity.load(certificateFile: d.appendingPathComponent("both.pem").path, keyFile: nil)
            }
        }
    }

    @Test func eachUnusableFileIsAClearErrorNamingTheFileAndTheFix() throws {
        let valid = try LabCertificateAuthority.generate().serverIdentity(.valid)
        let other = try LabCertificateAuthority.generate().serverIdentity(.valid)
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n"
        try withFiles([
            "cert.pem": valid.certificateChainPEM.joined(separator: "\n"), "other-key.pem": other.privateKeyPEM,
            "encrypted.pem": encrypted, "text.pem": "not a certificate\n",
        ]) { d in
            func message(_ cert: String, _ key: String?) -> String {
                do {
                    _ = try ClientIdentity.load(
                        certificateFile: d.appendingPathComponent(cert).path, keyFile: key.map { d.appendingPathComponent($0).path })
                    return "loaded"
                } catch { return error.description }
            }
            #expect(message("missing.pem", nil).contains("no such file"))
            #expect(message("text.pem", nil).contains("no '-----BEGIN CERTIFICATE-----' block"))
            #expect(message("cert.pem", nil).contains("no private key and no --key"))
            #expect(message("cert.pem", "encrypted.pem").contains("encrypted"))
            let mismatch = message("cert.pem", "other-key.pem")
            #expect(mismatch.contains("does not belong to the certificate") && mismatch.contains("other-key.pem"), "\(mismatch)")
            #expect(!mismatch.contains("PRIVATE KEY-----"), "the key's text is never shown")
        }
        var plan = ProbePlan(target: try WebSocketURL(parsing: "wss://example.test/"))
        plan.tls.clientKeyFile = "/tmp/key.pem"
        #expect(throws: ProbeError.self) { try plan.validate() }
    }

    /// A TLS record of `type` carrying `payload`.
    func record(_ type: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [type, 3, 3, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    /// A handshake message of `type` with a body of `length` bytes.
    func message(_ type: UInt8, length: Int) -> [UInt8] {
        [type, UInt8(length >> 16), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + [UInt8](repeating: 0x41, count: length)
    }

    @Test func aCertificateRequestIsSeenAcrossRecordAndReadBoundaries() {
        // ServerHello, Certificate, CertificateRequest, ServerHelloDone: the request split across two records,
        // the records fed a few bytes at a time.
        let flight = message(2, length: 70) + message(11, length: 900) + message(13, length: 40) + message(14, length: 0)
        let bytes = record(22, Array(flight.prefix(980))) + record(22, Array(flight.dropFirst(980)))
        var sniffer = TLSHandshakeSniffer()
        var index = 0
        while index < bytes.count {
            sniffer.feed(bytes[index..<min(bytes.count, index + 7)])
            index += 7
        }
        #expect(sniffer.certificateRequested)
        #expect(sniffer.finished, "ServerHelloDone ends the flight")

        var without = TLSHandshakeSniffer()
        without.feed(record(22, message(2, length: 70) + message(11, length: 300) + message(14, length: 0)))
        #expect(!without.certificateRequested && without.finished)
    }

    @Test func theServersAlertIsNamedFromBoringSSLsText() {
        let text = "sslError([Error: 268436502 error:10000416:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA at tls_record.cc:491])"
        #expect(WebSocketConnection.alertToken(in: text) == "TLSV1_ALERT_UNKNOWN_CA")
        #expect(WebSocketConnection.alertDescription(.tls(text)) == "the server sent the TLS alert unknown_ca (TLSV1_ALERT_UNKNOWN_CA)")
        #expect(WebSocketConnection.alertToken(in: "SSLV3_ALERT_HANDSHAKE_FAILURE") == "SSLV3_ALERT_HANDSHAKE_FAILURE")
        #expect(WebSocketConnection.alertToken(in: "no alert here, just _ALERT_ in lower context") == nil)
    }

    @Test func encryptedRecordsAndNonTLSBytesEndTheReadingAtOnce() {
        var tls13 = TLSHandshakeSniffer()
        tls13.feed(record(22, message(2, length: 90)) + record(20, [1]) + record(23, [UInt8](repeating: 13, count: 64)))
        #expect(!tls13.certificateRequested, "a 13 inside encrypted data is not a CertificateRequest")
        #expect(tls13.finished)

        var http = TLSHandshakeSniffer()
        http.feed(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        #expect(http.finished && !http.certificateRequested)

        var flood = TLSHandshakeSniffer()
        // One never-ending handshake message: reading stops at the bound instead of buffering it all.
        flood.feed(record(22, [13, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 16_000)))
        for _ in 0..<10 { flood.feed(record(22, [UInt8](repeating: 0, count: 16_000))) }
        #expect(flood.finished && !flood.certificateRequested)
    }
}
