/// A scenario file that cannot be used: names the file, the field at fault, and how to fix it.
public struct ScenarioLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or directory) at fault.
    public var path: String
    /// The field at fault as a dotted path (`expected.verdict.cause`, `proxyFaults[1]`), `nil` for the whole file.
    public var field: String?
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a load error.
    public init(path: String, field: String? = nil, message: String) {
        self.path = path
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "\(path): field '\(field)': \(message)" }
        return "\(path): \(message)"
    }
}
