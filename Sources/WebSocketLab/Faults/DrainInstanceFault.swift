/// `drain-instance`: scale-in of one upstream instance — new connections go elsewhere, and every
/// open connection of the instance ends at once `after` the fault is installed: by TCP FIN
/// (`mode=fin`, killed instance, 1006) or with close 1001 (`mode=1001`, SIGTERM handled).
public struct DrainInstanceFault: InstanceFault {
    public static let descriptor = FaultDescriptor(
        name: "drain-instance", summary: "end every connection of one upstream instance (scale-in)",
        parameters: [
            .init("instance", "0-based upstream index; default 0"), .init("mode", "fin or 1001; default fin"),
            .init("after", "delay after installing; default 0s"),
        ])

    /// The drained instance (0-based).
    public var instance: Int
    /// FIN (killed) or 1001 (graceful).
    public var drainMode: DrainMode
    /// Delay between installing the fault and the drain.
    public var drainAfter: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        instance = try spec.int("instance", default: 0, in: 0...1023)
        let mode = try spec.string("mode", default: "fin")
        guard let parsed = DrainMode(rawValue: mode.lowercased()) else {
            throw FaultSpecError(spec: spec.description, message: "'mode' must be fin or 1001, got '\(mode)'")
        }
        drainMode = parsed
        drainAfter = try spec.duration("after", default: .zero)
    }
}
