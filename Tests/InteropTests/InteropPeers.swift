import Foundation
import WebSocketLab

/// How to start each third-party peer on loopback for one test.
enum InteropPeers {
    /// The Python `websockets` fixture server (`Fixtures/interop/ws_server.py`) in `mode`.
    static func websocketsServer(_ mode: String) async throws -> PeerProcess {
        let python = try InteropPeer.pythonWebsockets.require()
        return try await PeerProcess.startPrintingPort(
            name: "websockets server (\(mode))", executable: python, arguments: [InteropPeer.fixture("ws_server.py"), mode])
    }

    /// The Starlette app under uvicorn (`Fixtures/interop/asgi_app.py`).
    /// `Fixtures/interop/socketio_app.py MODE` (`healthy`, `failing`, `refuse`): python-socketio's ASGI server
    /// under uvicorn, Engine.IO pinging every second.
    static func socketIOApp(_ mode: String) async throws -> PeerProcess {
        let python = try InteropPeer.socketIO.require()
        return try await PeerProcess.startPrintingPort(
            name: "python-socketio (\(mode))", executable: python, arguments: [InteropPeer.fixture("socketio_app.py"), mode])
    }

    /// `Fixtures/interop/fastapi_app.py`: a FastAPI app with an `{event, body}` envelope under uvicorn.
    static func fastAPIApp() async throws -> PeerProcess {
        let python = try InteropPeer.fastAPI.require()
        return try await PeerProcess.startPrintingPort(
            name: "fastapi+uvicorn", executable: python, arguments: [InteropPeer.fixture("fastapi_app.py")])
    }

    /// `Fixtures/interop/netra_server.py MODE` (`plain`, `system`, `crash`): the netra shapes on python-websockets.
    static func netraServer(_ mode: String) async throws -> PeerProcess {
        let python = try InteropPeer.pythonWebsockets.require()
        return try await PeerProcess.startPrintingPort(
            name: "netra-shaped server (\(mode))", executable: python, arguments: [InteropPeer.fixture("netra_server.py"), mode])
    }

    static func uvicornApp() async throws -> PeerProcess {
        let python = try InteropPeer.uvicorn.require()
        return try await PeerProcess.startPrintingPort(
            name: "uvicorn+starlette", executable: python, arguments: [InteropPeer.fixture("asgi_app.py")])
    }

    /// Django Channels under Daphne (`Fixtures/interop/channels_app.py`) on a free port, with Daphne's own
    /// command-line `options` (`--websocket_timeout 2`, `--ping-interval 1`, …).
    static func daphne(_ options: [String] = []) async throws -> PeerProcess {
        let python = try InteropPeer.daphne.require()
        return try await PeerProcess.startListening(name: "channels+daphne", executable: python) { _, port in
            [InteropPeer.fixture("channels_app.py"), String(port)] + options
        }
    }

    /// Hypercorn serving `Fixtures/interop/h2_asgi_app.py` over TLS (ALPN h2 and http/1.1, RFC 8441 over h2)
    /// with the lab CA's `variant` certificate, on a free port.
    static func hypercorn(authority: LabCertificateAuthority, variant: TLSVariant = .valid) async throws -> PeerProcess {
        let python = try InteropPeer.hypercorn.require()
        let identity = authority.serverIdentity(variant)
        return try await PeerProcess.startListening(name: "hypercorn (h2)", executable: python) { directory, port in
            let cert = directory.appendingPathComponent("chain.pem")
            let key = directory.appendingPathComponent("key.pem")
            try identity.certificateChainPEM.joined(separator: "\n").write(to: cert, atomically: true, encoding: .utf8)
            try identity.privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
            return [InteropPeer.fixture("h2_asgi_app.py"), String(port), cert.path, key.path]
        }
    }

    /// `Fixtures/interop/h2_refusing_server.py`: python-hyper's `h2` stack over TLS (ALPN h2 only) advertising
    /// `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`, answering the extended CONNECT by `mode` (`reset`, `goaway`, `silent`).
    static func h2RefusingServer(authority: LabCertificateAuthority, mode: String) async throws -> PeerProcess {
        let python = try InteropPeer.hypercorn.require()
        let identity = authority.serverIdentity(.valid)
        return try await PeerProcess.startListening(name: "h2 refusing server (\(mode))", executable: python) { directory, port in
            let cert = directory.appendingPathComponent("chain.pem")
            let key = directory.appendingPathComponent("key.pem")
            try identity.certificateChainPEM.joined(separator: "\n").write(to: cert, atomically: true, encoding: .utf8)
            try identity.privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
            return [InteropPeer.fixture("h2_refusing_server.py"), String(port), cert.path, key.path, mode]
        }
    }

    /// `Fixtures/interop/h2_close_at_once_server.py` (python-hyper `h2`): answers the extended CONNECT with 200, a
    /// close frame (1011) with END_STREAM and the TLS close_notify in one TCP write, then the TCP end.
    static func h2CloseAtOnceServer(authority: LabCertificateAuthority) async throws -> PeerProcess {
        let python = try InteropPeer.hypercorn.require()
        let identity = authority.serverIdentity(.valid)
        return try await PeerProcess.startListening(name: "h2 close-at-once server", executable: python) { directory, port in
            let cert = directory.appendingPathComponent("chain.pem")
            let key = directory.appendingPathComponent("key.pem")
            try identity.certificateChainPEM.joined(separator: "\n").write(to: cert, atomically: true, encoding: .utf8)
            try identity.privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
            return [InteropPeer.fixture("h2_close_at_once_server.py"), String(port), cert.path, key.path]
        }
    }

    /// `Fixtures/interop/h2_node_server.js`: Node's `http2` module with `enableConnectProtocol` over TLS (ALPN h2
    /// and http/1.1) carrying the `ws` library's WebSocket, in `mode` (`works`, `refuse`, `reset-open`, `goaway-open`,
    /// `close-open`).
    static func nodeHTTP2Server(authority: LabCertificateAuthority, mode: String) async throws -> PeerProcess {
        let node = try InteropPeer.nodeHTTP2.require()
        let identity = authority.serverIdentity(.valid)
        return try await PeerProcess.startListening(name: "node http2 (\(mode))", executable: node) { directory, port in
            let cert = directory.appendingPathComponent("chain.pem")
            let key = directory.appendingPathComponent("key.pem")
            try identity.certificateChainPEM.joined(separator: "\n").write(to: cert, atomically: true, encoding: .utf8)
            try identity.privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
            return [InteropPeer.fixture("h2_node_server.js"), String(port), cert.path, key.path, mode]
        }
    }

    /// HAProxy terminating TLS with ALPN `h2,http/1.1` (its HTTP/2 frontend speaks RFC 8441 and turns the
    /// extended CONNECT into an HTTP/1.1 upgrade) in front of the plain WebSocket server on `upstreamPort`.
    static func haproxyHTTP2(authority: LabCertificateAuthority, upstreamPort: Int) async throws -> PeerProcess {
        let haproxy = try InteropPeer.haproxy.require()
        let identity = authority.serverIdentity(.valid)
        return try await PeerProcess.startListening(name: "haproxy (h2 frontend)", executable: haproxy) { directory, port in
            let pem = directory.appendingPathComponent("front.pem")
            try (identity.certificateChainPEM + [identity.privateKeyPEM]).joined(separator: "\n").write(
                to: pem, atomically: true, encoding: .utf8)
            let conf = """
                global
                    maxconn 64
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                    timeout tunnel 60s
                frontend fe
                    bind 127.0.0.1:\(port) ssl crt \(pem.path) alpn h2,http/1.1
                    default_backend be
                backend be
                    server s1 127.0.0.1:\(upstreamPort)

                """
            let path = directory.appendingPathComponent("haproxy.cfg")
            try conf.write(to: path, atomically: true, encoding: .utf8)
            return ["-db", "-f", path.path]
        }
    }

    /// The gorilla/websocket server (`Fixtures/interop/gorilla/main.go`) with its flags (`-idle 2s`, …).
    static func gorilla(_ flags: [String] = []) async throws -> PeerProcess {
        let server = try InteropPeer.gorilla.require()
        return try await PeerProcess.startPrintingPort(name: "gorilla/websocket server", executable: server, arguments: flags)
    }

    /// The embedded Tomcat 10 (`Fixtures/interop/tomcat/InteropServer.java`); `/idle` sessions time out
    /// after `idleTimeout`.
    static func tomcat(idleTimeout: Duration = .seconds(2)) async throws -> PeerProcess {
        let java = try InteropPeer.tomcat.require()
        guard let classPath = InteropPeer.tomcatClassPath else {
            throw InteropError("the Tomcat endpoints are not compiled: run scripts/interop-peers.sh")
        }
        return try await PeerProcess.startPrintingPort(
            name: "embedded Tomcat", executable: java,
            arguments: [
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", classPath, "InteropServer", String(Int(idleTimeout.milliseconds)),
            ],
            readyWithin: .seconds(60))
    }

    /// python-engineio's ASGI server under uvicorn (`Fixtures/interop/engineio_app.py`) on a free port, with its
    /// ping interval and timeout.
    static func engineIO(pingInterval: Duration = .seconds(1), pingTimeout: Duration = .seconds(1)) async throws -> PeerProcess {
        let python = try InteropPeer.engineIO.require()
        return try await PeerProcess.startPrintingPort(
            name: "python-engineio+uvicorn", executable: python,
            arguments: [
                InteropPeer.fixture("engineio_app.py"), String(Double(pingInterval.milliseconds) / 1000),
                String(Double(pingTimeout.milliseconds) / 1000),
            ])
    }

    /// Action Cable under Puma (`Fixtures/interop/actioncable/server.rb`) on a free port; `/restart` restarts the
    /// cable server `restartAfter` after its first connection.
    static func actionCable(restartAfter: Duration = .milliseconds(1500)) async throws -> PeerProcess {
        let ruby = try InteropPeer.actionCable.require()
        return try await PeerProcess.startPrintingPort(
            name: "actioncable+puma", executable: ruby,
            arguments: [InteropPeer.fixture("actioncable/server.rb"), String(Double(restartAfter.milliseconds) / 1000)],
            readyWithin: .seconds(60))
    }

    /// A TCP server that accepts, reads, and hangs up without answering (`Fixtures/interop/hangup_server.py`).
    static func hangupServer() async throws -> PeerProcess {
        let python = try InteropPeer.pythonWebsockets.require()
        return try await PeerProcess.startPrintingPort(
            name: "tcp hang-up server", executable: python, arguments: [InteropPeer.fixture("hangup_server.py")])
    }

    /// nginx in the foreground, unprivileged: `-p <tmpdir> -c <conf>`, every path in the tmpdir,
    /// `location` is the body of `location / { … }` in front of `upstreamPort`. With `reloadable` (directives of
    /// the main context, e.g. `worker_shutdown_timeout 1s;`) nginx runs its master process, so that
    /// `nginx -s reload` (``nginxReload(_:)``) starts new workers and drains the old ones.
    static func nginx(upstreamPort: Int, location: String, reloadable: String? = nil) async throws -> PeerProcess {
        let nginx = try InteropPeer.nginx.require()
        return try await PeerProcess.startListening(name: "nginx", executable: nginx) { directory, port in
            for sub in ["logs", "tmp"] {
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            let d = directory.path
            let conf = """
                daemon off;
                \(reloadable.map { "master_process on;\n" + $0 } ?? "master_process off;")
                worker_processes 1;
                pid \(d)/nginx.pid;
                error_log \(d)/logs/error.log info;
                events { worker_connections 64; }
                http {
                    access_log \(d)/logs/access.log;
                    client_body_temp_path \(d)/tmp/body;
                    proxy_temp_path \(d)/tmp/proxy;
                    fastcgi_temp_path \(d)/tmp/fastcgi;
                    uwsgi_temp_path \(d)/tmp/uwsgi;
                    scgi_temp_path \(d)/tmp/scgi;
                    server {
                        listen 127.0.0.1:\(port);
                        location / {
                            proxy_pass http://127.0.0.1:\(upstreamPort);
                            \(location)
                        }
                    }
                }
                """
            try conf.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            return ["-e", "\(d)/logs/error.log", "-p", d + "/", "-c", "\(d)/nginx.conf"]
        }
    }

    /// `nginx -s reload` for an nginx started by ``nginx(upstreamPort:location:reloadable:)`` (bounded: 10 s).
    static func nginxReload(_ peer: PeerProcess) async throws {
        let nginx = try InteropPeer.nginx.require()
        let d = peer.directory.path
        let (status, output) = try await PeerProcess.runToEnd(
            executable: nginx, arguments: ["-e", "\(d)/logs/error.log", "-p", d + "/", "-c", "\(d)/nginx.conf", "-s", "reload"],
            within: .seconds(10))
        guard status == 0 else { throw InteropError("nginx -s reload exited \(status): \(output)") }
    }

    /// HAProxy in the foreground (`-db`) in `mode` (`http` or `tcp`) in front of `upstreamPort`,
    /// with `timeouts` (the `timeout …` lines of the defaults section). With `reloadable` (lines of the global
    /// section, e.g. `hard-stop-after 1s`) it runs in master-worker mode (`-W`, its pid file in its directory), so
    /// that ``haproxyReload(_:)`` (SIGUSR2 to the master) starts a new worker and soft-stops the old one.
    static func haproxy(mode: String, upstreamPort: Int, timeouts: [String], reloadable: [String]? = nil) async throws -> PeerProcess {
        let haproxy = try InteropPeer.haproxy.require()
        return try await PeerProcess.startListening(name: "haproxy (\(mode))", executable: haproxy) { directory, port in
            let conf = """
                global
                    maxconn 64
                \((reloadable ?? []).map { "    " + $0 }.joined(separator: "\n"))
                defaults
                    mode \(mode)
                \(timeouts.map { "    timeout " + $0 }.joined(separator: "\n"))
                frontend fe
                    bind 127.0.0.1:\(port)
                    default_backend be
                backend be
                    server s1 127.0.0.1:\(upstreamPort)

                """
            let path = directory.appendingPathComponent("haproxy.cfg")
            try conf.write(to: path, atomically: true, encoding: .utf8)
            let master = reloadable == nil ? [] : ["-W", "-p", directory.appendingPathComponent("haproxy.pid").path]
            return master + ["-db", "-f", path.path]
        }
    }

    /// A graceful reload of an HAProxy started with `reloadable`: SIGUSR2 to its master process, which starts
    /// a new worker and soft-stops the old one (its connections live on until `hard-stop-after`). Bounded: 10 s.
    static func haproxyReload(_ peer: PeerProcess) async throws {
        let pidFile = peer.directory.appendingPathComponent("haproxy.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = Int32(text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? "")
        else { throw InteropError("HAProxy wrote no pid file at \(pidFile.path): was it started with reloadable?") }
        let (status, output) = try await PeerProcess.runToEnd(
            executable: "/bin/kill", arguments: ["-USR2", String(pid)], within: .seconds(10))
        guard status == 0 else { throw InteropError("kill -USR2 \(pid) (the HAProxy master) exited \(status): \(output)") }
    }

    /// `openssl s_server` presenting the lab CA's `variant` certificate; `www` answers HTTP requests
    /// with its status page, otherwise it is a raw TLS endpoint that hangs up on the first line (`-naccept`).
    static func opensslServer(authority: LabCertificateAuthority, variant: TLSVariant, www: Bool, extra: [String] = []) async throws
        -> PeerProcess
    {
        let openssl = try InteropPeer.openssl.require()
        let identity = authority.serverIdentity(variant)
        return try await PeerProcess.startListening(name: "openssl s_server (\(variant.rawValue))", executable: openssl) {
            directory, port in
            let cert = directory.appendingPathComponent("leaf.pem")
            let key = directory.appendingPathComponent("key.pem")
            let chain = directory.appendingPathComponent("chain.pem")
            try (identity.certificateChainPEM.first ?? "").write(to: cert, atomically: true, encoding: .utf8)
            try identity.privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
            var arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert.path, "-key", key.path, "-quiet"]
            if identity.certificateChainPEM.count > 1 {
                try identity.certificateChainPEM.dropFirst().joined(separator: "\n").write(to: chain, atomically: true, encoding: .utf8)
                arguments += ["-cert_chain", chain.path]
            }
            arguments += www ? ["-www"] : ["-rev"]
            return arguments + extra
        }
    }

    /// tinyproxy in the foreground (`-d`) on loopback with `directives` added to its config
    /// (`ConnectPort 443`, `BasicAuth alice secret`, …).
    static func tinyproxy(_ directives: [String] = []) async throws -> PeerProcess {
        let tinyproxy = try InteropPeer.tinyproxy.require()
        return try await PeerProcess.startListening(name: "tinyproxy", executable: tinyproxy) { directory, port in
            let conf =
                (["Port \(port)", "Listen 127.0.0.1", "Timeout 30", "MaxClients 32", "Allow 127.0.0.1", "LogLevel Info"] + directives)
                .joined(separator: "\n") + "\n"
            let path = directory.appendingPathComponent("tinyproxy.conf")
            try conf.write(to: path, atomically: true, encoding: .utf8)
            return ["-d", "-c", path.path]
        }
    }
}
