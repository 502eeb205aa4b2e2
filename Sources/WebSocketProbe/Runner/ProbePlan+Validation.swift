import Foundation
import NIOSSL

extension ProbePlan {
    /// Checks what can be checked before any connection: the CA file is readable and holds PEM
    /// certificates, durations are positive, the agent payload is a JSON object.
    /// - Throws: ``ProbeError`` saying what to fix.
    public func validate() throws(ProbeError) {
        if let caFile = tls.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ProbeError.unreadableCAFile(
                    path: caFile, reason: FileManager.default.fileExists(atPath: caFile) ? "it is not readable" : "no such file")
            }
            guard let data = FileManager.default.contents(atPath: caFile),
                String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
            else {
                throw ProbeError.unreadableCAFile(path: caFile, reason: "it holds no PEM certificate")
            }
            // Parsed now, so a damaged file is a clear error before any connection instead of a TLS
            // set-up failure in the middle of the run.
            do {
                let certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
                if certificates.isEmpty { throw ProbeError.unreadableCAFile(path: caFile, reason: "it holds no PEM certificate") }
            } catch let error as ProbeError {
                throw error
            } catch {
                throw ProbeError.unreadableCAFile(
                    path: caFile,
                    reason:
                        "a certificate in it is not valid PEM (\(error)); export the CA again as PEM (`openssl x509 -in CA -out ca.pem`)")
            }
        }
        if transport == .http2, !target.isSecure || direct?.isSecure == false {
            throw ProbeError.invalidConfiguration(
                "--http2 needs a wss:// URL: WebSockets over HTTP/2 (RFC 8441) run over TLS with ALPN h2, as browsers open them; use wss:// (for --direct too) or drop --http2"
            )
        }
        if let certificateFile = tls.clientCertificateFile {
            _ = try ClientIdentity.load(certificateFile: certificateFile, keyFile: tls.clientKeyFile)
        } else if tls.clientKeyFile != nil {
            throw ProbeError.invalidConfiguration("--key was given without --cert: pass the client certificate with --cert as well")
        }
        // A subprotocol is an HTTP token (RFC 6455 §4.1, RFC 9110 §5.6.2): anything else could split the request.
        let tchar = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~").union(
            CharacterSet(charactersIn: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        for (index, entry) in subprotocols.enumerated() {
            guard !entry.isEmpty, entry.unicodeScalars.allSatisfy({ tchar.contains($0) }) else {
                throw ProbeError.invalidConfiguration(
                    "--subprotocol #\(index + 1) is not an HTTP token (the value is not shown): use letters, digits and !#$%&'*+-.^_`|~ only, no spaces, commas or line breaks"
                )
            }
        }
        try Self.checkInstanceHeader(instanceHeader)
        for header in headers where UpgradeRequest.hasControl(header.name) || UpgradeRequest.hasControl(header.value) {
            throw ProbeError.invalidHeader(header.name + ": " + header.value)
        }
        for (name, value) in [("--idle-probe", idleProbe), ("--lifetime-probe", lifetimeProbe), ("--sustain", sustain)] {
            if let value, value <= .zero { throw ProbeError.invalidConfiguration("\(name) must be longer than zero") }
        }
        if let keepalive, keepalive.interval <= .zero || keepalive.timeout <= .zero {
            throw ProbeError.invalidConfiguration("--keepalive needs an interval and a timeout longer than zero, e.g. 5s:10s")
        }
        if let messageSize, messageSize < 1 {
            throw ProbeError.invalidConfiguration("--message-size must be at least 1 byte")
        }
        // The message is built in memory and a reply of the same size must fit the client's own bound.
        let messageLimit = ClientConfiguration(url: target).maxMessageBytes
        if let messageSize, messageSize > messageLimit {
            throw ProbeError.invalidConfiguration(
                "--message-size \(messageSize) is larger than the client's message limit of \(messageLimit) bytes (\(messageLimit >> 20) MiB); give at most \(messageLimit)"
            )
        }
        if let origin { try Self.validateOrigin(origin) }
        if let connections, !(1...Self.maximumConnections).contains(connections) {
            throw ProbeError.invalidConfiguration(
                "--connections \(connections) is out of range: give 1 to \(Self.maximumConnections) connections to hold in parallel")
        }
        if fleetHold <= .zero { throw ProbeError.invalidConfiguration("--hold must be longer than zero, e.g. 10s") }
        guard trafficInterval > .zero else { throw ProbeError.invalidConfiguration("the traffic interval must be longer than zero") }
    }

    /// An `Origin` is `scheme://host[:port]` (RFC 6454 §6.1) or `null`: no path, no spaces, no control characters.
    static func validateOrigin(_ origin: String) throws(ProbeError) {
        if origin == "null" { return }
        let fix = "give scheme://host[:port], e.g. --origin https://app.example.com"
        guard origin.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw ProbeError.invalidConfiguration("--origin must be plain ASCII without spaces or control characters: \(fix)")
        }
        guard let separator = origin.range(of: "://"), !origin[..<separator.lowerBound].isEmpty else {
            throw ProbeError.invalidConfiguration("--origin '\(origin)' has no scheme: \(fix)")
        }
        let rest = origin[separator.upperBound...]
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else {
            throw ProbeError.invalidConfiguration("--origin '\(origin)' is not an origin (no host, or a path, query or userinfo): \(fix)")
        }
    }

    /// Checks the name given to `--instance-header` (an exporter module's `instanceHeader`): an HTTP token of at
    /// most 64 characters. Shared by the plan's validation and the exporter's check when its file loads.
    static func checkInstanceHeader(_ name: String?) throws(ProbeError) {
        guard let name else { return }
        let tchar = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~").union(
            CharacterSet(charactersIn: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if name.isEmpty || name.count > 64 || !name.unicodeScalars.allSatisfy({ tchar.contains($0) }) {
            throw ProbeError.invalidConfiguration(
                "--instance-header (instanceHeader) must be a header name of at most 64 letters, digits and -, e.g. X-Instance-Id (the value is not shown)"
            )
        }
    }
}
