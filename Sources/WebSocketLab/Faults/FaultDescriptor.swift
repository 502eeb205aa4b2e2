/// How a fault is named and configured: what the registry, the CLI help and error messages show.
public struct FaultDescriptor: Sendable {
    /// One parameter a fault takes.
    public struct Parameter: Sendable {
        /// The key (`after`).
        public var name: String
        /// What it means and its default (`duration since connect; default 300s`).
        public var help: String
        /// Creates a parameter description.
        public init(_ name: String, _ help: String) {
            self.name = name
            self.help = help
        }
    }

    /// The registry name (`idle-timeout`).
    public var name: String
    /// One line: what the fault reproduces.
    public var summary: String
    /// Parameters, without the shared `direction` and `probability`.
    public var parameters: [Parameter]
    /// The direction used when the spec gives none.
    public var defaultDirection: FaultDirection

    /// Creates a descriptor.
    public init(name: String, summary: String, parameters: [Parameter] = [], defaultDirection: FaultDirection = .both) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.defaultDirection = defaultDirection
    }

    /// `name:k=…,k=…` with every parameter, for help and error texts.
    public var usage: String {
        parameters.isEmpty ? name : name + ":" + parameters.map { "\($0.name)=…" }.joined(separator: ",")
    }
}
