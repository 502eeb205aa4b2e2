/// Every application fault by name, and the one place that builds them from a ``FaultSpec``.
public enum AppFaultRegistry {
    /// All fault types, in the order they are listed to people.
    public static let types: [any AppFault.Type] = [
        InternalErrorAppFault.self, DropOnErrorAppFault.self, NotReadyAppFault.self, SecretMismatchAppFault.self,
        CrashMidStreamAppFault.self, KeepaliveAppFault.self, NoSubprotocolEchoAppFault.self, SlowHandlerAppFault.self,
        RestartAppFault.self, MessageTooBigAppFault.self, RejectUpgradeAppFault.self,
    ]

    /// The registry names.
    public static var names: [String] { types.map { $0.name } }

    /// Builds the fault `spec` names; an unknown name gets an error listing the valid ones.
    public static func make(_ spec: FaultSpec) throws(FaultSpecError) -> any AppFault {
        guard let type = types.first(where: { $0.name == spec.name }) else {
            throw FaultSpecError(
                spec: spec.description,
                message: "unknown application fault '\(spec.name)' — valid: \(names.joined(separator: ", "))")
        }
        return try type.init(spec: spec)
    }

    /// Builds every fault of `specs`, in order.
    public static func make(_ specs: [FaultSpec]) throws(FaultSpecError) -> [any AppFault] {
        var faults: [any AppFault] = []
        for spec in specs { faults.append(try make(spec)) }
        return faults
    }
}
