import ArgumentParser
import Foundation
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// `ws1011 lab`: the reference backend and auth service on loopback until interrupted.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Run the reference backend and auth service until Ctrl-C (SIGINT) or SIGTERM.",
        discussion: "Prints the URLs, the CA file (with --tls) and a ready-to-run diagnose line.")

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("Serve wss:// with this certificate: " + TLSVariant.allCases.map(\.rawValue).joined(separator: ", ") + ".", valueName: "VARIANT"))
    var tls: String?

    @Option(name: .customLong("app-fault"), help: ArgumentHelp("An application fault NAME[:k=v,…] (repeatable), e.g. internal-error, not-ready:for=5s.", valueName: "SPEC"))
    var appFaults: [String] = []

    func run() async throws {
        var configuration = LabConfiguration()
        guard (0...65535).contains(port) else { throw UsageError("--port must be between 0 and 65535, got \(port)") }
        configuration.port = port
        configuration.host = host
        do {
            configuration.appFaults = try appFaults.map { text throws(FaultSpecError) in try FaultSpec(parsing: text) }
            _ = try AppFaultRegistry.make(configuration.appFaults)
        } catch {
            throw UsageError("\(error.description) (application faults: \(AppFaultRegistry.names.joined(separator: ", ")))")
        }
        if let tls {
            guard let variant = TLSVariant(rawValue: tls.lowercased()) else {
                throw UsageError("unknown --tls '\(tls)': use one of \(TLSVariant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.tls = variant
        }
        let lab = try await LabServer.start(configuration)
        var lines = [
            "ws1011 lab running",
            "  WebSocket:     \(lab.websocketURL)",
            "  health:        \(lab.httpBaseURL)/health",
            "  auth service:  \(lab.authBaseURL)/auth/token  (POST {\"email\": \"\(configuration.users.first?.email ?? "")\"})",
        ]
        var caArgument = ""
        if let pem = lab.rootCertificatePEM {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-lab-ca-\(getpid()).pem").path
            try Data(pem.utf8).write(to: URL(fileURLWithPath: path))
            lines.append("  CA file:       \(path)\(lab.tlsVariant.map { "  (serving the \($0.rawValue) certificate)" } ?? "")")
            caArgument = " --ca-file \(path)"
        }
        if !configuration.appFaults.isEmpty {
            lines.append("  app faults:    " + configuration.appFaults.map(\.description).joined(separator: " "))
        }
        lines.append("")
        lines.append("Diagnose it:")
        lines.append("  ws1011 diagnose \(lab.websocketURL) --profile reference --auth-url \(lab.authBaseURL)/auth/token --user \(configuration.users.first?.email ?? "EMAIL")\(caArgument)")
        lines.append("")
        lines.append("Ctrl-C to stop.")
        Console.out(lines.joined(separator: "\n") + "\n")
        let sig = await TerminationSignal.wait()
        Console.out("\nreceived signal \(sig), shutting down…\n")
        await lab.shutdown()
        if !caArgument.isEmpty {
            try? FileManager.default.removeItem(atPath: String(caArgument.dropFirst(" --ca-file ".count)))
        }
        Console.out("lab stopped\n")
    }
}
