import Foundation
import Testing

/// A third-party program the interop tests talk to, found on `PATH` (or `/usr/sbin`) or in the venv
/// that `scripts/interop-peers.sh` creates at `.build/interop-venv`.
///
/// When a peer is missing: with `WS1011_INTEROP=required` the test that needs it fails and says which
/// peer is missing and that `scripts/interop-peers.sh` installs it; otherwise the test is disabled
/// with that reason (never silently skipped).
enum InteropPeer: String, Sendable, CaseIterable {
    case nginx
    case haproxy
    case openssl
    case tinyproxy
    /// Python with `websockets` (the venv's interpreter).
    case pythonWebsockets = "python websockets"
    /// Python with `uvicorn` and `starlette` (the venv's interpreter).
    case uvicorn = "python uvicorn+starlette"
    /// libxml2's `xmllint` (Debian `libxml2-utils`): validates JUnit against the Jenkins XSD.
    case xmllint
    /// Prometheus' `promtool` (Debian `prometheus`): checks the text exposition.
    case promtool
    /// The Prometheus server (Debian `prometheus`): scrapes `ws1011 exporter`.
    case prometheus
    /// Headless Chromium (Debian `chromium`): renders the HTML report.
    case chromium
    /// Python with `junitparser` and `jsonschema` (the venv's interpreter): read the JUnit, validate the JSON.
    case pythonReportReaders = "python junitparser+jsonschema"
    /// Python with Django Channels and Daphne (the venv's interpreter).
    case daphne = "python channels+daphne"
    /// The gorilla/websocket server built from `Fixtures/interop/gorilla` (`.build/interop-peers/gorilla-server`).
    case gorilla = "go gorilla/websocket server"
    /// `java`, with the Tomcat endpoints compiled from `Fixtures/interop/tomcat` (`.build/interop-peers/tomcat`).
    case tomcat = "java + embedded Tomcat 10"
    /// Python with `hypercorn` (the venv's interpreter): ASGI over TLS with HTTP/2 and RFC 8441.
    case hypercorn = "python hypercorn"
    /// Python with `python-socketio` under uvicorn (the venv's interpreter): the socketio profile's peer.
    case socketIO = "python python-socketio+uvicorn"
    /// Python with `fastapi` under uvicorn (the venv's interpreter): an app with its own JSON envelope.
    case fastAPI = "python fastapi+uvicorn"
    /// Python with `python-engineio` and `uvicorn` (the venv's interpreter): Engine.IO v4 over ASGI.
    case engineIO = "python python-engineio+uvicorn"
    /// Node.js with the `ws` library (Debian `nodejs`, `node-ws`): `Fixtures/interop/h2_node_server.js`,
    /// RFC 8441 over Node's own `http2` module.
    case nodeHTTP2 = "node http2+ws"
    /// Ruby with Action Cable and Puma (Debian `ruby-actioncable`, `puma`): `Fixtures/interop/actioncable/server.rb`.
    case actionCable = "ruby actioncable+puma"

    // MARK: - Locating

    /// The package root, from this file's path (`Tests/InteropTests/InteropPeer.swift`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv the install script creates.
    static var venvPython: String { packageRoot.appendingPathComponent(".build/interop-venv/bin/python").path }

    /// What `scripts/interop-peers.sh` builds from the fixtures (`.build/interop-peers`).
    static var builtPeers: URL { packageRoot.appendingPathComponent(".build/interop-peers") }

    /// The class path of the embedded Tomcat: the compiled endpoints, then Debian's Tomcat jars as the
    /// install script recorded them; `nil` when either is missing.
    static var tomcatClassPath: String? {
        let classes = builtPeers.appendingPathComponent("tomcat")
        guard FileManager.default.fileExists(atPath: classes.appendingPathComponent("InteropServer.class").path),
            let jars = try? String(contentsOf: builtPeers.appendingPathComponent("tomcat.classpath"), encoding: .utf8)
        else { return nil }
        let trimmed = jars.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.split(separator: ":").allSatisfy({ FileManager.default.fileExists(atPath: String($0)) }) else { return nil }
        return classes.path + ":" + trimmed
    }

    /// A fixture under `Fixtures/interop/`.
    static func fixture(_ name: String) -> String { packageRoot.appendingPathComponent("Fixtures/interop/\(name)").path }

    /// `true` when the environment says the interop peers must be present (`WS1011_INTEROP=required`).
    static var required: Bool { ProcessInfo.processInfo.environment["WS1011_INTEROP"]?.lowercased() == "required" }

    /// The executable of this peer, or `nil` when it is not installed.
    var executable: String? { Self.cache[self] ?? nil }

    private static let cache: [InteropPeer: String?] = {
        var result: [InteropPeer: String?] = [:]
        for peer in InteropPeer.allCases { result[peer] = peer.locate() }
        return result
    }()

    private func locate() -> String? {
        switch self {
        case .nginx, .haproxy, .openssl, .tinyproxy, .xmllint, .promtool, .chromium, .prometheus:
            return Self.which(rawValue)
        case .pythonWebsockets:
            return Self.pythonHaving(modules: ["websockets"])
        case .uvicorn:
            return Self.pythonHaving(modules: ["websockets", "uvicorn", "starlette"])
        case .pythonReportReaders:
            return Self.pythonHaving(modules: ["junitparser", "jsonschema"])
        case .daphne:
            return Self.pythonHaving(modules: ["channels", "daphne", "django"])
        case .hypercorn:
            return Self.pythonHaving(modules: ["hypercorn", "h2"])
        case .socketIO:
            return Self.pythonHaving(modules: ["socketio", "engineio", "uvicorn"])
        case .fastAPI:
            return Self.pythonHaving(modules: ["fastapi", "uvicorn"])
        case .engineIO:
            return Self.pythonHaving(modules: ["engineio", "uvicorn"])
        case .gorilla:
            let path = Self.builtPeers.appendingPathComponent("gorilla-server").path
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        case .tomcat:
            return Self.tomcatClassPath == nil ? nil : Self.which("java")
        case .nodeHTTP2:
            guard FileManager.default.fileExists(atPath: "/usr/share/nodejs/ws/lib/websocket.js") else { return nil }
            return Self.which("node")
        case .actionCable:
            // Debian installs the gems under rubygems-integration; Puma brings its launcher.
            let gems = "/usr/share/rubygems-integration/all/gems"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: gems)) ?? []
            guard names.contains(where: { $0.hasPrefix("actioncable-") }), Self.which("puma") != nil else { return nil }
            return Self.which("ruby")
        }
    }

    /// Finds `name` on `PATH`, then in the system directories that non-root `PATH`s often lack.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"]
        for directory in directories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The venv's interpreter when its site-packages hold every module (a file check: no process is
    /// spawned, so evaluating the test traits never blocks).
    private static func pythonHaving(modules: [String]) -> String? {
        let python = venvPython
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let lib = packageRoot.appendingPathComponent(".build/interop-venv/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for version in versions where version.hasPrefix("python") {
            let site = lib.appendingPathComponent(version).appendingPathComponent("site-packages")
            if modules.allSatisfy({
                FileManager.default.fileExists(atPath: site.appendingPathComponent($0).appendingPathComponent("__init__.py").path)
            }) {
                return python
            }
        }
        return nil
    }

    // MARK: - Gating

    /// Whether a test needing `peers` runs: always when required (it then fails if one is missing),
    /// else only when all are installed.
    static func shouldRun(_ peers: InteropPeer...) -> Bool {
        required || peers.allSatisfy { $0.executable != nil }
    }

    /// The visible reason shown when a test is disabled for a missing peer.
    static func reason(_ peers: InteropPeer...) -> Comment {
        Comment(
            rawValue:
                "needs \(peers.map(\.rawValue).joined(separator: ", ")) — run scripts/interop-peers.sh to install (WS1011_INTEROP=required makes a missing peer a failure)"
        )
    }

    /// The peer's executable, or an error that says it is missing and how to install it.
    func require() throws -> String {
        guard let executable else {
            throw InteropError(
                "interop peer '\(rawValue)' is not installed but WS1011_INTEROP=required (or the test was enabled): run scripts/interop-peers.sh to install it"
            )
        }
        return executable
    }
}

/// A failure of the interop harness itself (a peer missing, not starting, or not ready in time).
struct InteropError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
