/// Why a profile file cannot be used: the file, the field and the fix, in one line (exit code 2).
public struct ProfileLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as given).
    public var path: String
    /// The field, as a path into the file (`welcome.anyOf[1].type`); empty for the whole file.
    public var field: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(path: String, field: String = "", message: String) {
        self.path = path
        self.field = field
        self.message = message
    }

    /// `profile my-app.json: field welcome.within: …`.
    public var description: String {
        field.isEmpty ? "profile \(path): \(message)" : "profile \(path): field \(field): \(message)"
    }
}
