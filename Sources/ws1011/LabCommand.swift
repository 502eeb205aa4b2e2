import ArgumentParser
import Foundation
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketLab

/// `ws1011 lab`: the reference backend and auth service on loopback until interrupted.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Run the reference backend and auth service until Ctrl-C (SIGINT) or SIGTERM.",
        discussion: """
            Prints the URLs, the CA file (with --tls) and a ready-to-run diagnose line.

            The auth service signs HS256 tokens with the lab's secret: --secret-file PATH (- reads standard input), \
            or --secret S (visible to ps and shell history), or else the WS1011_JWT_SECRET environment variable. \
            Without one the lab uses its built-in secret, which is public: fine on loopback, \
            refused on any other --host (give a secret of at least 32 bytes there). A secret shorter than 32 bytes \
            works on loopback, with a warning. Tokens are checked for signature (HS256 only), exp, nbf and iat \
            (60 s leeway for clocks that differ), issuer, audience (a string, or an array containing it) and type.

            --host other than 127.0.0.1 (0.0.0.0, a LAN address) lets other machines connect and get tokens for \
            the test users: the lab starts with a warning, and its printed URLs use 127.0.0.1 for 0.0.0.0.
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to listen on (default loopback; anything else warns, and needs a secret of your own).")
    var host: String = "127.0.0.1"

    @Option(
        help: ArgumentHelp(
            "The HS256 signing secret (visible to ps and shell history: prefer --secret-file or WS1011_JWT_SECRET).", valueName: "S"))
    var secret: String?

    @Option(
        help: ArgumentHelp(
            "Read the HS256 signing secret from PATH, or standard input with - (one trailing newline is ignored).", valueName: "PATH"))
    var secretFile: String?

    @Option(
        help: ArgumentHelp(
            "Serve wss:// with this certificate: " + TLSVariant.allCases.map(\.rawValue).joined(separator: ", ") + ".", valueName: "VARIANT"
        ))
    var tls: String?

    @Option(
        name: .customLong("app-fault"),
        help: ArgumentHelp("An application fault NAME[:k=v,…] (repeatable), e.g. internal-error, not-ready:for=5s.", valueName: "SPEC"))
    var appFaults: [String] = []

    func run() async throws {
        var configuration = LabConfiguration()
        guard (0...65535).contains(port) else { throw UsageError("--port must be between 0 and 65535, got \(port)") }
        configuration.port = port
        configuration.host = host
        if let given = try signingSecret() { configuration.jwtSecret = given }
        do {
            try configuration.checkSecret()
        } catch {
            throw UsageError(error.description)
        }
        if let weak = TokenMinter.shortSecretWarning(configuration.jwtSecret) {
            Console.error("ws1011: warning: \(weak)")
        }
        do {
            configuration.appFaults = try appFaults.map { text throws(FaultSpecError) in try FaultSpec(parsing: text) }
            _ = try FaultRegistry.standard.makeApplicationFaults(configuration.appFaults)
        } catch {
            throw UsageError(
                "\(error.description) (application faults: \(FaultRegistry.standard.applicationFaultNames.joined(separator: ", ")))")
        }
        if let tls {
            guard let variant = TLSVariant(rawValue: tls.lowercased()) else {
                throw UsageError("unknown --tls '\(tls)': use one of \(TLSVariant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.tls = variant
        }
        let lab = try await LabServer.start(configuration)
        if let warning = ExposureNotice.warning(
            "the lab", host: host, port: lab.port,
            consequence: "anyone who can reach this machine can open WebSockets to it and get tokens for the test users from /auth/token.")
        {
            Console.error(warning)
        }
        var lines = [
            "ws1011 lab running",
            "  WebSocket:     \(lab.websocketURL)",
            "  health:        \(lab.httpBaseURL)/health",
            "  auth service:  \(lab.authBaseURL)/auth/token  (POST {\"email\": \"\(configuration.users.first?.email ?? "")\"})",
        ]
        var caArgument = ""
        let caFile: TemporaryCAFile?
        do {
            caFile = try lab.rootCertificatePEM.map { try TemporaryCAFile(pem: $0, name: "lab") }
        } catch {
            await lab.shutdown()
            throw error
        }
        defer { caFile?.remove() }
        if let caFile {
            lines.append("  CA file:       \(caFile.path)\(lab.tlsVariant.map { "  (serving the \($0.rawValue) certificate)" } ?? "")")
            caArgument = " --ca-file \(caFile.path)"
        }
        if let note = ExposureNotice.addressNote(host: host, port: lab.port) {
            lines.append("  \(note)")
        }
        if !configuration.appFaults.isEmpty {
            lines.append("  app faults:    " + configuration.appFaults.map(\.description).joined(separator: " "))
        }
        lines.append("")
        lines.append("Diagnose it:")
        lines.append(
            "  ws1011 diagnose \(lab.websocketURL) --profile reference --auth-url \(lab.authBaseURL)/auth/token --user \(configuration.users.first?.email ?? "EMAIL")\(caArgument)"
        )
        lines.append("")
        lines.append("Ctrl-C to stop.")
        Console.out(lines.joined(separator: "\n") + "\n")
        let sig = await TerminationSignal.wait()
        Console.out("\nreceived signal \(sig), shutting down…\n")
        await lab.shutdown()
        Console.out("lab stopped\n")
    }

    /// The secret from --secret-file, --secret or WS1011_JWT_SECRET (at most one of the options), or nil for the
    /// default; registered with the console so that no output can show it.
    private func signingSecret() throws -> String? {
        if secret != nil, secretFile != nil { throw UsageError("give only one of --secret and --secret-file") }
        let given: String?
        if let secretFile {
            given = try SecretInput.read(path: secretFile, option: "--secret-file")
        } else if let secret {
            try SecretInput.check(secret, option: "--secret")
            given = secret
        } else {
            given = try SecretInput.environment("WS1011_JWT_SECRET")
        }
        if let given { Console.register(secrets: [given]) }
        return given
    }
}
