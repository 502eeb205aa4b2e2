import Testing

@testable import WebSocketDiagnosis

@Suite("Fleet rule (clustered ends)")
struct FleetRuleTests {
    func classify(_ fleet: FleetObservation) -> Verdict { FailureClassifier.classify(CauseSamples.fleetInput(fleet)) }

    // MARK: One event

    @Test func everyConnectionCutBareAtOneInstantAtDifferentAgesIsAReload() {
        let v = classify(FleetFixture.reload)
        #expect(v.cause == .reloadDrain, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.layer == .infrastructure)
        #expect(v.evidenceText.contains("8 of 8 open connections ended within 21 ms"), "\(v.evidenceText)")
        #expect(v.evidenceText.contains("bare end"))
        #expect(v.evidenceText.contains("ranged from 2571 ms to 3950 ms"), "\(v.evidenceText)")
        #expect(v.evidenceText.contains("a ping every 1000 ms: traffic did not keep them"))
        #expect(v.evidenceText.contains("8 of 8 opened"))
    }

    @Test func theSameMainAttemptWithoutTheFleetIsHealthy() {
        // The rule is what turns the fleet into a verdict: the main attempt alone says nothing is wrong.
        #expect(FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened())).cause == .healthy)
    }

    @Test func closes1001AtOneInstantAreADeployNotNBugs() {
        let v = classify(FleetFixture.allEnded(6, at: 5000, code: 1001))
        #expect(v.cause == .applicationRestart, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.summary.contains("deploy or scale-in"))
        #expect(v.evidenceText.contains("6 of 6 open connections ended within 15 ms"), "\(v.evidenceText)")
        #expect(v.evidenceText.contains("close 1001"))
    }

    @Test func uvicorns1012AtOneInstantFollowedBy503sIsADeployWithRefusedUpgrades() {
        let v = classify(FleetFixture.allEnded(5, at: 5000, code: 1012, reopen: 503))
        #expect(v.cause == .applicationRestart)
        #expect(v.summary.contains("new upgrades were refused"))
        #expect(v.evidenceText.contains("0 of 5 opened; refused: 5 × HTTP 503"), "\(v.evidenceText)")
    }

    @Test func bareEndsAtOneInstantWithRefusedReconnectsAreARestartNotAReload() {
        let v = classify(FleetFixture.allEnded(4, at: 3000, reopenFailure: "tcp connection-refused"))
        #expect(v.cause == .applicationRestart, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.evidenceText.contains("no answer (tcp connection-refused)"))
    }

    @Test func twoConnectionsCutTogetherAreAnEventWhenTheyAreTheWholeFleet() {
        #expect(classify(FleetFixture.allEnded(2, at: 3000, reopen: 101, spacing: 1000)).cause == .reloadDrain)
    }

    // MARK: Near misses

    @Test func bareEndsAtTheSameAgeUnderPingsAreALifetimeCapNotAnEvent() {
        // Opened 200 ms apart, each cut 3 s after its open: the ends cluster in time but the ages agree.
        let connections = (0..<8).map { i -> FleetConnection in
            let c = FleetFixture.connection(i)
            return FleetFixture.ended(c, at: c.openedAtMs! + 3000)
        }
        let fleet = FleetObservation(requested: 8, holdMs: 10_000, rampMs: 1600, pingIntervalMs: 1000, connections: connections)
        #expect(!fleet.clusters.isEmpty, "the ends are within the window")
        let v = classify(fleet)
        #expect(v.cause == .lifetimeCap, "\(v.summary)\n\(v.evidenceText)")
        #expect(
            v.evidenceText.contains(
                "8 of 8 connections ended the same way (bare end) at the same age, 3000 ms–3000 ms after their open, spread over 1400 ms"),
            "\(v.evidenceText)")
    }

    @Test func aFrontsCapCountedFromTheAcceptIsACapWhenSlowUpgradesSpreadTheAgesFromTheOpen() {
        // A busy front: each connection's TCP connect lands 200 ms after the last, its upgrade takes 20–620 ms,
        // and the front cuts it 1.2 s after its accept. From the open the ages spread 600 ms (no cap); from the
        // connect they agree — the basis that shows one age is the one the front counts.
        let connections = (0..<6).map { i -> FleetConnection in
            let start = Double(i) * 200
            let upgrade = [20.0, 620, 300, 80, 450, 150][i]
            var c = FleetConnection(
                index: i, outcome: .held, startedAtMs: start, connectedAtMs: start + 1, openedAtMs: start + 1 + upgrade,
                transportEnd: .localClose)
            c = FleetFixture.ended(c, at: start + 1 + 1200)
            return c
        }
        let fleet = FleetObservation(requested: 6, holdMs: 4000, rampMs: 1200, pingIntervalMs: 1000, connections: connections)
        let v = classify(fleet)
        #expect(v.cause == .lifetimeCap, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.evidenceText.contains("1200 ms–1200 ms after their TCP connect"), "\(v.evidenceText)")
        // Without the connect times the same ends are no cap: the ages from the open spread too far.
        let withoutConnect = FleetObservation(
            requested: 6, holdMs: 4000, rampMs: 1200, pingIntervalMs: 1000,
            connections: connections.map {
                var c = $0; c.connectedAtMs = nil; return c
            })
        #expect(classify(withoutConnect).cause != .lifetimeCap)
    }

    @Test func agesWithinAClientsReadingNoiseAreOneCapButAgesDriftingBySecondsAreNot() {
        // A 1.2 s cap; a loaded client read each end 0–200 ms late: one age.
        let late = [0.0, 200, 150, 120, 60, 180]
        let noisy = (0..<6).map { i -> FleetConnection in
            let c = FleetFixture.connection(i, spacing: 300)
            return FleetFixture.ended(c, at: c.openedAtMs! + 1200 + late[i])
        }
        let fleet = FleetObservation(requested: 6, holdMs: 4000, rampMs: 1800, pingIntervalMs: 1000, connections: noisy)
        let v = classify(fleet)
        #expect(v.cause == .lifetimeCap, "\(v.summary)\n\(v.evidenceText)")
        // Ages 2.0, 2.5 and 2.6 s over opens 0.67 s apart: the ends spread far more than the ages, but the ages
        // differ by 600 ms — not one cap.
        let drifting = zip([0.0, 667, 1333], [2000.0, 2500, 2600]).enumerated().map { i, pair -> FleetConnection in
            let c = FleetConnection(index: i, outcome: .held, startedAtMs: pair.0, openedAtMs: pair.0, transportEnd: .localClose)
            return FleetFixture.ended(c, at: pair.0 + pair.1)
        }
        let drift = FleetObservation(requested: 3, holdMs: 4000, rampMs: 2000, pingIntervalMs: 1000, connections: drifting)
        #expect(classify(drift).cause != .lifetimeCap)
    }

    @Test func closeFramesAtTheSameAgeAreTheApplicationsCap() {
        let connections = (0..<5).map { i -> FleetConnection in
            let c = FleetFixture.connection(i, spacing: 400)
            return FleetFixture.ended(c, at: c.openedAtMs! + 2000, code: 1000)
        }
        let fleet = FleetObservation(requested: 5, holdMs: 10_000, rampMs: 2000, pingIntervalMs: 1000, connections: connections)
        #expect(classify(fleet).cause == .applicationConnectionCap)
    }

    @Test func endsSpreadOverTheHoldAreNoCluster() {
        let connections = (0..<6).map { FleetFixture.ended(FleetFixture.connection($0), at: 1000 + Double($0) * 1500) }
        let fleet = FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: connections)
        #expect(fleet.clusters.isEmpty)
        #expect(FleetRule().evaluate(CauseSamples.fleetContext(fleet)) == nil)
    }

    @Test func aWholeFleetThatHeldIsNoFinding() {
        let fleet = FleetObservation(
            requested: 5, holdMs: 10_000, rampMs: 1000, pingIntervalMs: 1000, connections: (0..<5).map { FleetFixture.connection($0) })
        #expect(FleetRule().evaluate(CauseSamples.fleetContext(fleet)) == nil)
        #expect(classify(fleet).cause == .healthy)
    }

    @Test func mostOfAFleetEndingAtNoOneInstantAndNoOneAgeIsInconclusiveNotHealthy() {
        // Six connections opened 300 ms apart, each cut 1.05–1.35 s after its open (a 1.2 s cap read by a client
        // at load 15): the ages spread 300 ms, more than one cap's noise; the ends spread 2 s, no one event.
        let late = [140.0, 55, 70, -80, -85, -155]
        let connections = (0..<6).map { i -> FleetConnection in
            let c = FleetFixture.connection(i, spacing: 300)
            return FleetFixture.ended(c, at: c.openedAtMs! + 1200 + late[i])
        }
        let fleet = FleetObservation(requested: 6, holdMs: 4000, rampMs: 1800, pingIntervalMs: 1000, connections: connections)
        #expect(FleetRule().evaluate(CauseSamples.fleetContext(fleet)) == nil)
        let v = classify(fleet)
        #expect(v.cause == .inconclusive, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.summary.contains("6 of 6 connections held in parallel ended early"), "\(v.summary)")
        #expect(
            v.evidenceText.contains("6 of 6 connections held in parallel ended before the 4000 ms hold was over: 6 × bare end"),
            "\(v.evidenceText)")
        #expect(v.evidenceText.contains("1045 ms–1340 ms after their"), "\(v.evidenceText)")
        // Ends spread over the hold with mixed signatures: the same.
        let spread = (0..<6).map {
            FleetFixture.ended(FleetFixture.connection($0), at: 1000 + Double($0) * 1500, code: $0 % 2 == 0 ? 1011 : nil)
        }
        let mixed = classify(FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: spread))
        #expect(mixed.cause == .inconclusive, "\(mixed.summary)")
        #expect(mixed.evidenceText.contains("3 × bare end, 3 × close 1011"), "\(mixed.evidenceText)")
    }

    @Test func aStrayEndInAFleetThatOtherwiseHeldStaysWithTheOtherRules() {
        // One of six ended: not most of the fleet, so the main attempt's verdict (healthy) stands.
        let connections = (0..<6).map { $0 == 2 ? FleetFixture.ended(FleetFixture.connection($0), at: 2500) : FleetFixture.connection($0) }
        let fleet = FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: connections)
        #expect(UnexplainedFleetEndsRule().evaluate(CauseSamples.fleetContext(fleet)) == nil)
        #expect(classify(fleet).cause == .healthy)
    }

    // MARK: One bad instance

    @Test func aQuarterOfTheFleetFailingOneWayWhileTheRestHoldsIsOneBadInstance() {
        let connections = (0..<8).map {
            $0 % 4 == 1
                ? FleetFixture.ended(FleetFixture.connection($0), at: 900 + Double($0) * 700, code: 1011) : FleetFixture.connection($0)
        }
        let v = classify(FleetObservation(requested: 8, holdMs: 10_000, rampMs: 1600, pingIntervalMs: 1000, connections: connections))
        #expect(v.cause == .badInstance, "\(v.summary)\n\(v.evidenceText)")
        #expect(
            v.evidenceText.contains("2 of 8 connections (25 %) failed the same way: close 1011; the other 6 lived"), "\(v.evidenceText)")
    }

    @Test func handshakesRefusedByOneInstanceAreOneBadInstanceToo() {
        var connections = (0..<6).map { FleetFixture.connection($0) }
        for i in [0, 3] {
            connections[i].outcome = .notOpened
            connections[i].openedAtMs = nil
            connections[i].handshakeStatus = 502
        }
        let v = classify(FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: connections))
        #expect(v.cause == .badInstance)
        #expect(v.evidenceText.contains("HTTP 502"))
    }

    @Test func failuresAllServedByOneNamedInstanceNameItInTheVerdict() {
        // Round-robin over three instances: instance-1 refuses every upgrade with 502.
        var connections = (0..<6).map { FleetFixture.connection($0) }
        for i in connections.indices {
            connections[i].instance = "instance-\(i % 3)"
            if i % 3 == 1 {
                connections[i].outcome = .notOpened
                connections[i].openedAtMs = nil
                connections[i].handshakeStatus = 502
            }
        }
        let fleet = FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: connections)
        #expect(
            fleet.instances
                == [
                    FleetInstance(
                        name: "instance-0", connections: 2, opened: 2, held: 2, ended: 0, notOpened: 0, failure: nil, failureCount: 0),
                    FleetInstance(
                        name: "instance-1", connections: 2, opened: 0, held: 0, ended: 0, notOpened: 2, failure: "HTTP 502", failureCount: 2
                    ),
                    FleetInstance(
                        name: "instance-2", connections: 2, opened: 2, held: 2, ended: 0, notOpened: 0, failure: nil, failureCount: 0),
                ])
        let v = classify(fleet)
        #expect(v.cause == .badInstance, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.summary.contains("One bad instance, instance-1:"), "\(v.summary)")
        #expect(v.evidenceText.contains("all 2 failures came from instance-1; instance-0 and instance-2 held 4 of 4"), "\(v.evidenceText)")
        #expect(v.confidence == Confidence.likely)

        // Failures from two instances: still the fraction's verdict, but no instance is named.
        connections[2].outcome = .notOpened
        connections[2].openedAtMs = nil
        connections[2].handshakeStatus = 502
        let spread = classify(FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: connections))
        #expect(spread.cause == .badInstance)
        #expect(!spread.summary.contains("instance-"), "\(spread.summary)")
        #expect(!spread.evidenceText.contains("failures came from"), "\(spread.evidenceText)")
    }

    @Test func aFleetWhoseFrontNamesNoInstanceHasNoInstanceTally() {
        let fleet = FleetObservation(
            requested: 3, holdMs: 10_000, rampMs: 600, pingIntervalMs: 1000, connections: (0..<3).map { FleetFixture.connection($0) })
        #expect(fleet.instances == nil)
    }

    @Test func theInstanceIsReadFromTheUsersHeaderFirstThenTheUsualOnesScrubbedAndBounded() {
        let redactor = Redactor(knownSecrets: ["s3cr3t-t0ken-value"])
        let headers = [HeaderField("x-backend-server", "10.0.0.7:8080"), HeaderField("X-Pod", "pod-7")]
        #expect(FleetConnection.instance(in: headers, redactor: redactor) == "10.0.0.7:8080")
        #expect(FleetConnection.instance(in: headers, custom: "x-pod", redactor: redactor) == "pod-7")
        #expect(FleetConnection.instance(in: [HeaderField("X-Served-By", "  ")], redactor: redactor) == nil)
        // A token in the value never reaches the report: a known secret, and a JWT-shaped one.
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlc2lnbmF0dXJl"
        let leaked = FleetConnection.instance(in: [HeaderField("X-Served-By", "node-1;s3cr3t-t0ken-value")], redactor: redactor)
        #expect(leaked?.contains("s3cr3t") == false && leaked?.hasPrefix("node-1;") == true, "\(leaked ?? "nil")")
        let jwtLeak = FleetConnection.instance(in: [HeaderField("X-Served-By", "node-2 " + jwt)], redactor: redactor)
        #expect(jwtLeak?.contains("eyJ") == false, "\(jwtLeak ?? "nil")")
        let long = FleetConnection.instance(in: [HeaderField("X-Served-By", String(repeating: "a", count: 500))], redactor: redactor)
        #expect(long?.count == FleetConnection.maximumInstanceLength && long?.contains("…") == true)
        // Two long names with one prefix stay two instances; a retried upstream list names the one that answered.
        let other = FleetConnection.instance(in: [HeaderField("X-Served-By", String(repeating: "a", count: 499) + "b")], redactor: redactor)
        #expect(other != long, "\(other ?? "nil") vs \(long ?? "nil")")
        #expect(
            FleetConnection.instance(in: [HeaderField("X-Backend-Server", "10.0.0.1:80, 10.0.0.2:80")], redactor: redactor) == "10.0.0.2:80"
        )
        // The fleet's own redaction scrubs a name recorded before a secret was known, and its tally follows.
        var c = FleetFixture.connection(0)
        c.instance = "node-3 s3cr3t-t0ken-value"
        let fleet = FleetObservation(requested: 1, holdMs: 1000, rampMs: 0, pingIntervalMs: nil, connections: [c]).redacted(by: redactor)
        #expect(fleet.connections[0].instance?.contains("s3cr3t") == false)
        #expect(fleet.instances?.map(\.name) == fleet.connections.map { $0.instance! })
    }

    @Test func failuresOfDifferentKindsOrMostOfTheFleetAreNotOneBadInstance() {
        var mixed = (0..<8).map { FleetFixture.connection($0) }
        mixed[1] = FleetFixture.ended(mixed[1], at: 1500, code: 1011)
        mixed[6] = FleetFixture.ended(mixed[6], at: 6000)
        #expect(
            FleetRule().evaluate(
                CauseSamples.fleetContext(
                    FleetObservation(requested: 8, holdMs: 10_000, rampMs: 1600, pingIntervalMs: 1000, connections: mixed))) == nil)
        let most = (0..<6).map {
            $0 < 4 ? FleetFixture.ended(FleetFixture.connection($0), at: 1000 + Double($0) * 2000, code: 1011) : FleetFixture.connection($0)
        }
        #expect(
            FleetRule().evaluate(
                CauseSamples.fleetContext(
                    FleetObservation(requested: 6, holdMs: 10_000, rampMs: 1200, pingIntervalMs: 1000, connections: most))) == nil)
    }

    // MARK: Clusters

    @Test func clustersGroupEndsWithinTheWindowLargestFirst() {
        var connections = (0..<7).map { FleetFixture.connection($0) }
        for i in 0..<4 { connections[i] = FleetFixture.ended(connections[i], at: 5000 + Double(i) * 100) }
        for i in 4..<6 { connections[i] = FleetFixture.ended(connections[i], at: 8000 + Double(i), code: 1001) }
        let fleet = FleetObservation(requested: 7, holdMs: 10_000, rampMs: 1400, pingIntervalMs: nil, connections: connections)
        #expect(fleet.opened == 7 && fleet.ended == 6)
        #expect(fleet.clusters.map(\.count) == [4, 2])
        #expect(fleet.clusters.first?.fromMs == 5000 && fleet.clusters.first?.toMs == 5300)
        #expect(fleet.clusters.last?.signature == "close 1001")
    }
}
