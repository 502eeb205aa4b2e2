import Testing

@testable import WebSocketDiagnosis

/// Handshake answers exactly as real stacks give them (found by the interop tests), so the rules are not
/// tuned to the lab's strings: Python `websockets` 17 behind nginx's defaults and its own rejections.
@Suite("Handshake fingerprints of real stacks")
struct RealStackHandshakeFingerprintTests {
    let rule = HandshakeStatusRule()
    /// What Python `websockets` answers to the HTTP/1.0 request nginx sends by default (no `proxy_http_version 1.1`).
    let websockets505 = Fixture.rejected(
        505, "HTTP Version Not Supported", server: "Python/3.11 websockets/17.4",
        body: "Failed to open a WebSocket connection: unsupported HTTP version: HTTP/1.0.\n")

    @Test func websockets505ForAnHTTP10RequestThroughTheFrontWhileDirectUpgradesIsUpgradeNotForwarded() {
        let v = rule.evaluate(context(websockets505, direct: Fixture.opened().asDirect))
        #expect(v?.cause == .upgradeNotForwarded)
    }

    @Test func websockets505ForAnHTTP10RequestWithoutADirectRunPointsAtTheFrontWithModestConfidence() {
        let v = rule.evaluate(context(websockets505))
        #expect(v?.cause == .upgradeNotForwarded)
        #expect((v?.confidence ?? 1) < 0.8)
    }

    @Test func websocketsRejectingAnUnsupportedSubprotocolIsAHandshakeErrorNotAStrippedUpgrade() {
        // Every websockets rejection starts "Failed to open a WebSocket connection:"; only some mean plain HTTP.
        let t = Fixture.rejected(
            400, "Bad Request", server: "Python/3.11 websockets/17.4",
            body: "Failed to open a WebSocket connection: invalid subprotocol; expected one of chat.v1.\n")
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .handshakeError)
        #expect(Fingerprints.saysUpgradeRequired(body: t.handshake?.bodyPreview) == false)
    }

    @Test func websockets426ForAMissingUpgradeHeaderStillSaysPlainHTTP() {
        let body =
            "Failed to open a WebSocket connection: missing Upgrade header.\n\nYou cannot access a WebSocket server directly with a browser. You need a WebSocket client.\n"
        #expect(Fingerprints.saysUpgradeRequired(body: body))
    }

    @Test func websockets400MissingSubprotocolOnlyThroughTheFrontIsAStrippedHeader() {
        // What websockets answers when the front removed the Sec-WebSocket-Protocol we offered.
        var t = Fixture.rejected(
            400, "Bad Request", server: "Python/3.11 websockets/17.4",
            body: "Failed to open a WebSocket connection: missing subprotocol.\n")
        t.request?.offeredSubprotocols = ["chat.v1"]
        let v = rule.evaluate(context(t, direct: Fixture.opened(offered: ["chat.v1"], selected: "chat.v1").asDirect))
        #expect(v?.cause == .headerStripped, "\(v?.cause.rawValue ?? "nil")")
    }

    @Test func a400NamingASubprotocolWeNeverOfferedIsStillUpgradeNotForwarded() {
        // No subprotocol offered: the body cannot be about a header we sent.
        let t = Fixture.rejected(400, "Bad Request", body: "missing subprotocol")
        let v = rule.evaluate(context(t, direct: Fixture.opened().asDirect))
        #expect(v?.cause == .upgradeNotForwarded)
    }

    @Test func nginxsOwn503PageIsNotAnApplicationReadinessGuard() {
        let t = Fixture.rejected(
            503, "Service Temporarily Unavailable", server: "nginx/1.22.1",
            body: "<html><head><title>503 Service Temporarily Unavailable</title></head></html>")
        let v = rule.evaluate(context(t))
        #expect(v?.cause != .notReady, "\(v?.cause.rawValue ?? "nil")")
    }

    @Test func a1011WhoseReasonSaysSomethingIsUnavailableIsAnInternalError() {
        let t = Fixture.opened().receivingClose(1011, "database unavailable", at: 900)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).cause == .internalErrorClose)
    }
}
