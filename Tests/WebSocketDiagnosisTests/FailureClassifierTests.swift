import Testing

@testable import WebSocketDiagnosis

@Suite("Failure classifier")
struct FailureClassifierTests {
    @Test(arguments: CauseSamples.all)
    func eachRepresentativeInputGetsItsCause(sample: CauseSample) {
        let v = FailureClassifier.classify(sample.input)
        #expect(v.cause == sample.expected, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.layer == sample.expected.layer)
        #expect(!v.evidence.isEmpty)
        #expect(!v.summary.isEmpty && !v.summary.contains("\n"))
        #expect(v.confidence > 0 && v.confidence < 1)
    }

    @Test func everyCauseIdHasARepresentativeInput() {
        #expect(CauseID.allKnown.count >= 39, "the catalog of cause ids shrank: \(CauseID.allKnown.count)")
        let covered = Set(CauseSamples.all.map(\.expected))
        let missing = CauseID.allKnown.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "no sample for \(missing)")
    }

    @Test func everyCauseIdNamesALayer() {
        for cause in CauseID.allKnown {
            #expect(cause.layer != .inconclusive || cause.rawValue.split(separator: ".").first == "inconclusive", "\(cause)")
        }
    }

    // MARK: - Rule order

    @Test func theFirstFailingLayerWins() {
        // A TLS failure with (stale) findings about frames: TLS comes first.
        let t = Fixture.tlsFailed(.expired).finding(.reservedBits, "stale")
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).cause == .expiredCertificate)
    }

    @Test func sent1011AndReceived1011AreDifferentVerdicts() {
        let sent = Fixture.opened(pings: [PingRecord(sentAtMs: 1000)]).sendingClose(1011, "", at: 11_000, answered: false)
        let received = Fixture.opened().receivingClose(1011, "", at: 11_000)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: sent)).cause == .clientKeepaliveTimeout)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: received)).cause == .internalErrorClose)
    }

    @Test func aCloseFrameAndABareEndAtTheSameMomentAreDifferentVerdicts() {
        let base = Fixture.opened(frames: [inbound("text", at: 150), outbound("text", at: 400)])
        #expect(
            FailureClassifier.classify(ClassificationInput(transcript: base.receivingClose(1011, "Internal error", at: 410))).layer
                == .application)
        let bare = FailureClassifier.classify(ClassificationInput(transcript: base.endingBare(at: 410)))
        #expect(bare.cause == .applicationConnectionDropped)
        #expect(
            bare.confidence
                < FailureClassifier.classify(ClassificationInput(transcript: base.receivingClose(1011, "Internal error", at: 410)))
                .confidence)
    }

    @Test func measurementsFindALimitThatTheMainRunDidNotHit() {
        let m = Measurements(idleTimeoutMs: 4_000, lifetimeMs: nil, idleProbeMs: 10_000, lifetimeProbeMs: 10_000)
        let v = FailureClassifier.classify(
            ClassificationInput(transcript: Fixture.opened().sendingClose(1000, at: 900, answered: true), measurements: m))
        #expect(v.cause == .idleTimeout)
    }

    @Test func aFailedStepNothingExplainsIsInconclusive() {
        let steps = [ProbeStep(name: .ping, status: .failed, detail: "no pong within 2000 ms")]
        let v = FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened(), steps: steps))
        #expect(v.layer == .inconclusive)
        #expect(v.evidenceText.contains("no pong within 2000 ms"))
    }

    @Test func anAttemptThatNeverConnectedWithNoFailureIsInconclusive() {
        let t = ConnectionTranscript(target: Fixture.target)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).layer == .inconclusive)
    }

    // MARK: - Direct versus front (rule 4)

    @Test func anInternalErrorCloseBothWaysStaysApplicationWithMoreConfidence() {
        let front = Fixture.opened(frames: [outbound("text", at: 400)]).receivingClose(1011, "Internal error", at: 410)
        let alone = FailureClassifier.classify(ClassificationInput(transcript: front))
        let both = FailureClassifier.classify(ClassificationInput(transcript: front, direct: front.asDirect))
        #expect(both.cause == .internalErrorClose)
        #expect(both.confidence > alone.confidence)
        #expect(both.evidenceText.contains("direct-vs-front"))
    }

    @Test func anAuthCloseOnlyThroughTheFrontWithACredentialIsAStrippedHeader() {
        let front = Fixture.opened().receivingClose(1008, "missing token", at: 130)
        let v = FailureClassifier.classify(
            ClassificationInput(transcript: front, direct: Fixture.opened().asDirect, expectations: CauseSamples.credential))
        #expect(v.cause == .headerStripped)
    }

    @Test func anIdleTimeoutOnlyThroughTheFrontGainsConfidence() {
        let front = Fixture.opened(openAt: 100).endingBare(at: 60_112)
        let alone = FailureClassifier.classify(ClassificationInput(transcript: front))
        let compared = FailureClassifier.classify(ClassificationInput(transcript: front, direct: Fixture.opened().asDirect))
        #expect(compared.cause == .idleTimeout)
        #expect(compared.confidence > alone.confidence)
    }

    @Test func theSameIdleCutDirectIsTheBackendNotTheFront() {
        let front = Fixture.opened(openAt: 100).endingBare(at: 60_112)
        let v = FailureClassifier.classify(ClassificationInput(transcript: front, direct: front.asDirect))
        #expect(v.layer == .application)
    }

    @Test func aSubprotocolEchoedDirectButNotThroughTheFrontIsAStrippedHeader() {
        let front = Fixture.opened(offered: ["jwt-auth"])
        let direct = Fixture.opened(offered: ["jwt-auth"], selected: "jwt-auth").asDirect
        #expect(FailureClassifier.classify(ClassificationInput(transcript: front, direct: direct)).cause == .headerStripped)
    }

    @Test func anUnreachableDirectRunLeavesTheVerdictAlone() {
        let front = Fixture.opened().receivingClose(1011, "Internal error", at: 410)
        let direct = Fixture.failed(.tcp, "connection-refused", "ECONNREFUSED").asDirect
        let v = FailureClassifier.classify(ClassificationInput(transcript: front, direct: direct))
        #expect(v.cause == .internalErrorClose)
        #expect(v.evidenceText.contains("could not reach the backend"))
    }

    @Test func aHealthyFrontStaysHealthyWhateverTheDirectRun() {
        let v = FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened(), direct: Fixture.rejected(403).asDirect))
        #expect(v.cause == .healthy)
    }

    // MARK: - Thresholds

    @Test func thresholdsUseDurationsNotIntegers() {
        let t = ClassifierThresholds(afterMessageWindow: .milliseconds(250), minimumSilence: .seconds(2))
        #expect(t.afterMessageWindow.milliseconds == 250)
        #expect(t.minimumSilence.milliseconds == 2000)
    }
}

/// Evidence states what was done: the lifetime probe's real ping interval, not an assumed one.
@Suite("Evidence names the ping interval that ran")
struct EvidencePingIntervalTests {
    @Test func theLifetimeProbesIntervalIsTheOneThatRan() {
        let lifetime = Fixture.opened().endingBare(at: 3000)
        var m = Measurements(idleTimeoutMs: 1000, lifetimeMs: 2900, idleProbeMs: 5000, lifetimeProbeMs: 5000, lifetimeTranscript: lifetime)
        m.pingIntervalMs = 250
        let verdict = FailureClassifier.classify(
            ClassificationInput(transcript: Fixture.opened().sendingClose(1000, at: 500, answered: true), measurements: m))
        let text = verdict.evidence.map(\.observation).joined(separator: " | ")
        #expect(!text.contains("a ping every second"), "\(text)")
        if text.contains("a ping every") { #expect(text.contains("a ping every 250 ms"), "\(text)") }
        #expect(text.contains("a ping every"), "the evidence should say how the lifetime probe pinged: \(text)")
    }
}
