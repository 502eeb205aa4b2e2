/// A hostile-client test could not set up what it needs.
struct HostileLabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
