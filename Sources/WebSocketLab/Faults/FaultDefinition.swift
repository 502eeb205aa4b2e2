/// What every fault has, whether the proxy reproduces it (``Fault``) or the lab's backend does (``AppFault``):
/// a descriptor and a constructor from its `NAME[:k=v,…]` spec.
///
/// What a fault *does* comes from the small capability protocols it also adopts (``HandshakeFault``,
/// ``MessageAppFault``, …); the proxy and the backend ask for those, never for a concrete type.
/// ``FaultRegistry`` finds a definition by its descriptor's name. See docs/WRITING_A_FAULT.md.
public protocol FaultDefinition: Sendable {
    /// The registry name, summary and parameters.
    static var descriptor: FaultDescriptor { get }
    /// Builds the fault from its parameters; throws a ``FaultSpecError`` that names the parameter and what is valid.
    init(spec: FaultSpec) throws(FaultSpecError)
}

extension FaultDefinition {
    /// Rejects unknown parameters using the descriptor's parameter list.
    public static func validate(_ spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Set(descriptor.parameters.map(\.name)))
    }
}
