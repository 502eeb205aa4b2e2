/// A usage or start-up error of the lab (bad configuration, port in use); `description` says how to fix it.
public struct LabError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// The configuration cannot work as given.
    public static func configuration(_ message: String) -> LabError { LabError("lab configuration: \(message)") }
    /// A socket could not be bound.
    public static func bind(_ host: String, _ port: Int, _ underlying: any Error) -> LabError {
        LabError("cannot listen on \(host):\(port): \(underlying) — choose another port (0 picks a free one)")
    }
}
