import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// The client and the classifier against a Starlette app served by uvicorn (peers no one here wrote).
@Suite("Interop: uvicorn + Starlette")
struct UvicornInteropTests {
    @Test(
        "a handler that raises after accept under uvicorn drops the socket with no close frame: application connection-dropped",
        .enabled(if: InteropPeer.shouldRun(.uvicorn), InteropPeer.reason(.uvicorn)), .realIO)
    func raiseAfterAcceptDropsSocket() async throws {
        try await InteropPeers.uvicornApp().run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)/raise-after-accept") { $0.profile = .echo }
            let t = report.transcript
            #expect(t.handshake?.status == 101, Probe.describe(report))
            #expect(t.close.received == nil, "uvicorn sends no close frame on an exception: \(Probe.describe(t.close))")
            #expect(t.close.transportEnd == .eof || t.close.transportEnd == .reset, Probe.describe(t.close))
            // The end comes right after our message.
            let lastOut = try #require(
                t.frames.last { $0.direction == .outbound && $0.opcode == "text" }, "the echo profile sent a message")
            let end = try #require(t.close.atMs, "the transport end has a time")
            #expect(end - lastOut.atMs < 1500, "ended \(end - lastOut.atMs) ms after the message")
            #expect(report.verdict.cause == "application.connection-dropped", Probe.describe(report))
            #expect(report.verdict.layer == .application)
            let deadline = ContinuousClock.now + .seconds(3)
            while !app.stderrText.contains("Exception in ASGI application"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(app.stderrText.contains("Exception in ASGI application"), "uvicorn logs the exception: \(app.stderrText)")
        }
    }

    @Test(
        "an exception before accept under uvicorn is HTTP 500 with its 21-byte body: application handshake-error",
        .enabled(if: InteropPeer.shouldRun(.uvicorn), InteropPeer.reason(.uvicorn)), .realIO)
    func raiseBeforeAcceptIs500() async throws {
        try await InteropPeers.uvicornApp().run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)/raise-before-accept")
            let h = report.transcript.handshake
            #expect(h?.status == 500, Probe.describe(report))
            #expect(h?.bodyPreview == "Internal Server Error", "uvicorn's body: \(h?.bodyPreview ?? "nil")")
            #expect(report.verdict.cause == "application.handshake-error", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "a healthy Starlette echo route under uvicorn is healthy",
        .enabled(if: InteropPeer.shouldRun(.uvicorn), InteropPeer.reason(.uvicorn)), .realIO)
    func healthyEcho() async throws {
        try await InteropPeers.uvicornApp().run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)/echo") { $0.profile = .echo }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
            #expect(report.transcript.handshake?.acceptValid == true)
        }
    }
}
