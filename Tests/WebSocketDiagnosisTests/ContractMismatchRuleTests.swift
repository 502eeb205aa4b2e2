import Testing

@testable import WebSocketDiagnosis

@Suite("Contract mismatch rule")
struct ContractMismatchRuleTests {
    let mismatch = ContractObservation(
        profile: "lab",
        mismatches: [
            ContractMismatch(
                field: "auth.selects", expected: "fixed:jwt-auth ('jwt-auth')", observed: "the server selected none of [jwt-auth, jwt.x]"),
            ContractMismatch(field: "welcome", expected: "connection_established within 10 s", observed: "no message at all"),
        ])

    func input(_ transcript: ConnectionTranscript, contract: ContractObservation?) -> ClassificationInput {
        var input = ClassificationInput(
            transcript: transcript, steps: [ProbeStep(name: .subprotocol, status: .failed, detail: "selected none")],
            expectations: ProbeExpectations(profile: "lab", sentCredential: true))
        input.contract = contract
        return input
    }

    @Test func anEchoServerUnderTheLabProfileIsAContractMismatchNotTheApplication() {
        let t = Fixture.opened(offered: ["jwt-auth", "jwt.x"])
        let v = FailureClassifier.classify(input(t, contract: mismatch))
        #expect(v.cause == .contractMismatch)
        #expect(v.layer == .client)
        #expect(v.evidence.contains { $0.observation.contains("field auth.selects") })
        #expect(v.evidence.contains { $0.observation.contains("field welcome") })
        #expect(v.summary.contains("'lab' profile"))
    }

    @Test func withoutTheContractCheckTheSameHandshakeBlamesTheApplication() {
        // The app spoke the profile on the tolerant connection (no mismatch recorded): its selection is wrong.
        let t = Fixture.opened(offered: ["jwt-auth", "jwt.x"])
        #expect(FailureClassifier.classify(input(t, contract: nil)).cause == .subprotocolNotEchoed)
    }

    @Test func aPeerThatClosedOrDroppedIsNotAContractQuestion() {
        let closed = Fixture.opened().receivingClose(1011, "Internal error", at: 300)
        #expect(FailureClassifier.classify(input(closed, contract: mismatch)).cause != .contractMismatch)
        let dropped = Fixture.opened().endingBare(at: 300)
        #expect(FailureClassifier.classify(input(dropped, contract: mismatch)).cause != .contractMismatch)
    }

    @Test func aRejectedUpgradeIsNeverAContractMismatch() {
        let rejected = Fixture.rejected(403, body: "Forbidden")
        #expect(FailureClassifier.classify(input(rejected, contract: mismatch)).cause != .contractMismatch)
    }

    @Test func aConnectErrorIsOnlyASocketIORefusalUnderTheSocketIOEnvelope() {
        let t = Fixture.opened(frames: [inbound("text", at: 140, preview: #"44{"message":"Invalid namespace"}"#)])
        var socketIO = ProbeExpectations(profile: "socketio")
        socketIO.envelope = "socketio"
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t, expectations: socketIO)).cause == .socketIONamespaceRefused)
        #expect(
            FailureClassifier.classify(ClassificationInput(transcript: t, expectations: ProbeExpectations(profile: "echo"))).cause
                != .socketIONamespaceRefused)
    }
}
