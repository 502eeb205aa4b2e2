/// Builds faults from `FaultSpec`s: every fault type by name, plus the presets.
///
/// Unknown names and bad or unknown parameters throw a `FaultSpecError` that lists what is valid.
/// The shared parameters `direction` (`upstream|downstream|both`) and `probability` (0…1) are
/// accepted by every fault and taken off before the fault sees its spec.
public struct FaultRegistry: Sendable {
    /// Fault types by registry name.
    public private(set) var types: [String: any Fault.Type]
    /// The random source every fault built here rolls `probability` and draws jitter from; default the system
    /// generator. Set a seeded one (``FaultRandom/seeded(_:)``) for a repeatable run.
    public var random: FaultRandom = .system

    /// The registry with every built-in fault.
    public static let standard = FaultRegistry(types: [
        LatencyFault.self, BandwidthFault.self, SlicerFault.self, ResetPeerFault.self, BlackholeFault.self,
        SlowCloseFault.self, LimitDataFault.self, IdleTimeoutFault.self, LifetimeCapFault.self,
        StripUpgradeFault.self, StripHeaderFault.self, RejectUpgradeFault.self, DelayUpgradeFault.self,
        InjectCloseFault.self, RewriteCloseFault.self, DropPongsFault.self, DropPingsFault.self,
        CorruptFrameFault.self, DropMessagesFault.self, DrainInstanceFault.self, CapacityFault.self,
        ReloadFault.self,
    ])

    /// Creates a registry from fault types.
    public init(types: [any Fault.Type]) {
        var byName: [String: any Fault.Type] = [:]
        for type in types { byName[type.descriptor.name] = type }
        self.types = byName
    }

    /// Adds (or replaces) a fault type.
    public mutating func register(_ type: any Fault.Type) { types[type.descriptor.name] = type }

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
                message: "unknown fault '\(spec.name)' — valid faults: \(faultNames.joined(separator: ", ")); presets: \(FaultPreset.allCases.map(\.rawValue).joined(separator: ", "))")
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
            return [ConfiguredFault(name: spec.name, spec: spec, direction: direction, probability: probability, fault: fault, random: random)]
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
}
