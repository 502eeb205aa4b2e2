/// The selected target cannot be used; the message says why and how to fix it.
public struct TargetUnavailable: Error, CustomStringConvertible, Sendable {
    /// What is wrong and what to set.
    public var message: String
    /// Creates the error.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
