import Testing
import WebSocketDiagnosis

@Suite("Fingerprints")
struct FingerprintsTests {
    @Test(arguments: ["keepalive ping timeout", "Keepalive ping timeout", "ping timeout", "Heartbeat timeout", "pong not received"])
    func keepaliveWordingsFromSeveralLibrariesMatch(reason: String) {
        #expect(Fingerprints.isKeepaliveTimeout(reason: reason))
    }

    @Test(arguments: ["Internal error", "", "database unavailable: retry"])
    func internalErrorReasonsAreNotKeepalive(reason: String) {
        #expect(!Fingerprints.isKeepaliveTimeout(reason: reason))
    }

    @Test func cloudflaresRestartReasonIsAnEdgeRestartButAnAppsGoingAwayIsNot() {
        #expect(Fingerprints.isEdgeRestart(reason: "CloudFlare WebSocket proxy restarting"))
        #expect(!Fingerprints.isEdgeRestart(reason: "Server shutting down"))
    }

    @Test func upgradeRequiredBodiesFromSeveralServersMatch() {
        #expect(Fingerprints.saysUpgradeRequired(body: "Upgrade Required"))
        #expect(
            Fingerprints.saysUpgradeRequired(
                body:
                    "Failed to open a WebSocket connection: invalid Connection header: keep-alive.\n\nYou cannot access a WebSocket server directly with a browser."
            ))
        #expect(!Fingerprints.saysUpgradeRequired(body: "Session ID unknown"))
        #expect(!Fingerprints.saysUpgradeRequired(body: nil))
    }

    @Test func proxyServerHeadersAreRecognisedAndAppServersAreNot() {
        #expect(Fingerprints.isProxyServer("cloudflare"))
        #expect(Fingerprints.isProxyServer("awselb/2.0"))
        #expect(!Fingerprints.isProxyServer("uvicorn"))
        #expect(!Fingerprints.isProxyServer(nil))
    }

    @Test func theBareUvicorn500BodyIsRecognised() {
        #expect(Fingerprints.isBareInternalServerError(body: "Internal Server Error"))
        #expect(!Fingerprints.isBareInternalServerError(body: "Internal Server Error: KeyError 'user'"))
    }
}
