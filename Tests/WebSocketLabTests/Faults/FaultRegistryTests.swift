import Testing

@testable import WebSocketLab

@Suite("Fault registry")
struct FaultRegistryTests {
    @Test func unknownFaultNameListsTheValidOnes() {
        #expect {
            _ = try FaultRegistry.standard.make(parsing: "idle-timout:after=2s")
        } throws: { error in
            let text = "\(error)"
            return text.contains("unknown fault 'idle-timout'") && text.contains("idle-timeout") && text.contains("cloud-run")
        }
    }

    @Test func unknownParameterListsTheValidOnes() {
        #expect {
            _ = try FaultRegistry.standard.make(parsing: "idle-timeout:afterr=2s")
        } throws: { error in
            "\(error)".contains("afterr") && "\(error)".contains("valid: after")
        }
    }

    @Test func badValuesAreRejectedWithTheRule() {
        for spec in [
            "idle-timeout:after=2", "reject-upgrade:status=500", "latency:direction=sideways", "drop-pongs:probability=2",
            "drain-instance:mode=kill", "corrupt-frame:rsv=4", "idle-timeout",
        ] {
            #expect(throws: FaultSpecError.self, "\(spec) should be rejected") { _ = try FaultRegistry.standard.make(parsing: spec) }
        }
    }

    @Test func sharedParametersLandOnTheWrapper() throws {
        let built = try FaultRegistry.standard.make(parsing: "drop-pongs:direction=upstream,probability=0.25")
        #expect(built.count == 1)
        #expect(built[0].direction == .upstream)
        #expect(built[0].probability == 0.25)
        #expect(built[0].fault is DropPongsFault)
    }

    @Test func everyStandardFaultHasADescriptorMatchingItsRegistryName() {
        #expect(FaultRegistry.standard.faultNames.count == 24)
        #expect(FaultRegistry.standard.types.count == 24)
        for (name, type) in FaultRegistry.standard.types { #expect(type.descriptor.name == name) }
    }

    @Test func presetsExpandWithTheirParameters() throws {
        let cloudRun = try FaultRegistry.standard.make(parsing: "cloud-run:timeout=2s,max=3,coldstart=500ms")
        #expect(cloudRun.allSatisfy { $0.name == "cloud-run" })
        let cap = try #require(cloudRun.compactMap { $0.fault as? LifetimeCapFault }.first)
        #expect(cap.after == .seconds(2))
        #expect(cloudRun.compactMap { $0.fault as? CapacityFault }.first?.max == 3)
        #expect(cloudRun.compactMap { $0.fault as? DelayUpgradeFault }.first?.delay == .milliseconds(500))

        let nginx = try FaultRegistry.standard.make(parsing: "nginx-default")
        #expect((nginx.first?.fault as? IdleTimeoutFault)?.after == .seconds(60))
        #expect(nginx.first?.direction == .downstream)
        #expect((try FaultRegistry.standard.make(parsing: "gcp-lb").first?.fault as? LifetimeCapFault)?.after == .seconds(30))
        #expect(throws: FaultSpecError.self) { _ = try FaultRegistry.standard.make(parsing: "aws-alb:idle=5s") }
    }

    /// The presets users hit most, at their documented defaults (each preset's doc names its source).
    @Test func thePresetsUsersHitMostCarryTheirVendorsDefaults() throws {
        func make(_ text: String) throws -> [ConfiguredFault] { try FaultRegistry.standard.make(parsing: text) }
        let ingress = try make("ingress-nginx")
        #expect(ingress.count == 1 && (ingress[0].fault as? IdleTimeoutFault)?.after == .seconds(60) && ingress[0].direction == .downstream)
        let reloading = try make("ingress-nginx:reload=240s")
        #expect(reloading.compactMap { $0.fault as? ReloadFault }.first?.after == .seconds(240))
        let envoy = try make("envoy:max-duration=1h")
        #expect(envoy.compactMap { $0.fault as? IdleTimeoutFault }.first?.after == .seconds(300))
        #expect(envoy.compactMap { $0.fault as? LifetimeCapFault }.first?.after == .seconds(3600))
        #expect(try make("envoy").count == 1, "Envoy has no connection duration cap by default")
        let gateway = try make("aws-api-gateway")
        #expect(gateway.compactMap { $0.fault as? IdleTimeoutFault }.first?.after == .seconds(600))
        #expect(gateway.compactMap { $0.fault as? LifetimeCapFault }.first?.after == .seconds(7200))
        let frame = try #require(gateway.first { $0.fault is FrameLimitFault })
        #expect((frame.fault as? FrameLimitFault)?.bytes == 32768 && (frame.fault as? FrameLimitFault)?.code == 1009)
        #expect(frame.direction == .upstream)
        #expect((try make("azure-app-gateway").first?.fault as? LifetimeCapFault)?.after == .seconds(20))
        #expect((try make("traefik").first?.fault as? LifetimeCapFault)?.after == .seconds(60))
        let cloudflare = try make("cloudflare:restart-after=10m")
        #expect(cloudflare.compactMap { $0.fault as? IdleTimeoutFault }.first?.after == .seconds(100))
        let restart = try #require(cloudflare.compactMap { $0.fault as? InjectCloseFault }.first)
        #expect(restart.code == 1001 && restart.reason == FaultPreset.cloudflareRestartReason && restart.after == .seconds(600))
        #expect(throws: FaultSpecError.self) { _ = try make("traefik:idle=5s") }
    }
}
