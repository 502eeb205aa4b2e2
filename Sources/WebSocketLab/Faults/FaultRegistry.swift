/// Builds faults from `FaultSpec`s: every proxy fault type by name, plus the presets, and every
/// application fault of the lab's backend by name. The one place the CLI (`ws1011 proxy --fault`,
/// `ws1011 lab --fault`), the admin API and scenario files look faults up; a library user extends a copy
/// with `register(_:)` (a ``Fault`` or an ``AppFault`` type) and hands it to
/// ``FaultProxy/start(_:eventLoopGroup:registry:)`` or ``LabServer/start(_:eventLoopGroup:registry:)``.
///
/// Unknown names and bad or unknown parameters throw a `FaultSpecError` that lists what is valid.
/// The shared parameters `direction` (`upstream|downstream|both`) and `probability` (0…1) are
/// accepted by every proxy fault and taken off before the fault sees its spec.
public struct FaultRegistry: Sendable {
    /// Proxy fault types by registry name.
    public private(set) var types: [String: any Fault.Type]
    /// Application fault types, in the order they are listed to people (names are unique).
    public private(set) var applicationTypes: [any AppFault.Type]
    /// The random source every fault built here rolls `probability` and draws jitter from; default the system
    /// generator. Set a seeded one (``FaultRandom/seeded(_:)``) for a repeatable run.
    public var random: FaultRandom = .system

    /// The registry with every built-in fault.
    public static let standard = FaultRegistry(
        types: [
            LatencyFault.self, BandwidthFault.self, SlicerFault.self, ResetPeerFault.self, BlackholeFault.self,
            SlowCloseFault.self, LimitDataFault.self, IdleTimeoutFault.self, LifetimeCapFault.self,
            StripUpgradeFault.self, StripHeaderFault.self, RejectUpgradeFault.self, DelayUpgradeFault.self,
            InjectCloseFault.self, RewriteCloseFault.self, DropPongsFault.self, DropPingsFault.self,
            CorruptFrameFault.self, DropMessagesFault.self, DrainInstanceFault.self, CapacityFault.self,
            ReloadFault.self, FrameLimitFault.self, H2ConnectBrokenFault.self,
        ],
        applicationTypes: [
            InternalErrorAppFault.self, DropOnErrorAppFault.self, NotReadyAppFault.self, SecretMismatchAppFault.self,
            CrashMidStreamAppFault.self, KeepaliveAppFault.self, NoSubprotocolEchoAppFault.self, SlowHandlerAppFault.self,
            RestartAppFault.self, MessageTooBigAppFault.self, RejectUpgradeAppFault.self,
        ])

    /// Creates a registry from fault types.
    /// - Parameters:
    ///   - types: proxy fault types.
    ///   - applicationTypes: application fault types, in listing order; default none.
    public init(types: [any Fault.Type], applicationTypes: [any AppFault.Type] = []) {
        var byName: [String: any Fault.Type] = [:]
        for type in types { byName[type.descriptor.name] = type }
        self.types = byName
        self.applicationTypes = []
        for type in applicationTypes { register(type) }
    }

    /// Adds (or replaces) a proxy fault type.
    public mutating func register(_ type: any Fault.Type) { types[type.descriptor.name] = type }

    /// Adds (or replaces, keeping its place) an application fault type.
    public mutating func register(_ type: any AppFault.Type) {
        if let index = applicationTypes.firstIndex(where: { $0.descriptor.name == type.descriptor.name }) {
            applicationTypes[index] = type
        } else {
            applicationTypes.append(type)
        }
    }

    /// Every fault name, sorted.
    public var faultNames: [String] { types.keys.sorted() }

    /// The shared wrapper parameters every fault accepts.
    public static let sharedParameters: Set<String> = ["direction", "probability"]

    /// Builds the faults a spec names: one for a fault, several for a preset.
    public func make(_ spec: FaultSpec) throws(FaultSpecError) -> [ConfiguredFault] {
        if let preset = FaultPreset(rawValue: spec.name) {
            let parts = try preset.expand(spec)
            var built: [ConfiguredFault] = []
            for part in parts {
                for var fault in try make(part) {
                    fault.name = spec.name
                    built.append(fault)
                }
            }
            return built
        }
        guard let type = types[spec.name] else {
            throw FaultSpecError(
                spec: spec.description,
                message:
                    "unknown fault '\(spec.name)' — valid faults: \(faultNames.joined(separator: ", ")); presets: \(FaultPreset.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        var inner = spec
        inner.parameters.removeValue(forKey: "direction")
        inner.parameters.removeValue(forKey: "probability")
        let direction: FaultDirection
        if let raw = spec.parameters["direction"] {
            guard let parsed = FaultDirection(rawValue: raw.lowercased()) else {
                throw FaultSpecError(spec: spec.description, message: "'direction' must be upstream, downstream or both, got '\(raw)'")
            }
            direction = parsed
        } else {
            direction = type.descriptor.defaultDirection
        }
        let probability = try spec.double("probability", default: 1, in: 0...1)
        do {
            let fault = try type.init(spec: inner)
            return [
                ConfiguredFault(name: spec.name, spec: spec, direction: direction, probability: probability, fault: fault, random: random)
            ]
        } catch {
            // Name the shared parameters too when the fault lists what is valid.
            var message = error.message
            if message.contains("unknown parameter") { message += " (and direction, probability)" }
            throw FaultSpecError(spec: spec.description, message: message)
        }
    }

    /// Parses and builds `NAME[:k=v,…]`.
    public func make(parsing text: String) throws(FaultSpecError) -> [ConfiguredFault] {
        try make(FaultSpec(parsing: text))
    }

    /// One line per fault and preset: `name:params — summary`, for help texts.
    public var catalog: [String] {
        faultNames.compactMap { name in types[name].map { "\($0.descriptor.usage) — \($0.descriptor.summary)" } }
            + FaultPreset.allCases.map { "\($0.usage) — \($0.summary)" }
    }

    // MARK: - Application faults

    /// Every application fault name, in listing order.
    public var applicationFaultNames: [String] { applicationTypes.map { $0.descriptor.name } }

    /// Builds the application fault `spec` names; an unknown name gets an error listing the valid ones.
    public func makeApplicationFault(_ spec: FaultSpec) throws(FaultSpecError) -> any AppFault {
        guard let type = applicationTypes.first(where: { $0.descriptor.name == spec.name }) else {
            throw FaultSpecError(
                spec: spec.description,
                message: "unknown application fault '\(spec.name)' — valid: \(applicationFaultNames.joined(separator: ", "))")
        }
        return try type.init(spec: spec)
    }

    /// Builds every application fault of `specs`, in order.
    public func makeApplicationFaults(_ specs: [FaultSpec]) throws(FaultSpecError) -> [any AppFault] {
        var faults: [any AppFault] = []
        for spec in specs { faults.append(try makeApplicationFault(spec)) }
        return faults
    }

    /// One line per application fault: `name:params — summary`, for help texts.
    public var applicationCatalog: [String] {
        applicationTypes.map { "\($0.descriptor.usage) — \($0.descriptor.summary)" }
    }
}
