/// The selected target cannot be used; the message says why and how to fix it.
public struct TargetUnavailable: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Creates the error.
    public init(message: String) { self.message = message }
    public var description: String { message }
}
