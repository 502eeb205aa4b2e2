import WebSocketDiagnosis

/// The header lines of an HTTP/1.1 head, in order, duplicates kept; names compared case-insensitively.
public struct HTTPHeaderList: Sendable, Equatable {
    /// The fields in wire order.
    public var fields: [HeaderField]

    /// Creates a list from fields.
    public init(_ fields: [HeaderField] = []) { self.fields = fields }

    /// The first value of `name`.
    public func first(_ name: String) -> String? { fields.first(named: name) }

    /// Every value of `name`.
    public func all(_ name: String) -> [String] { fields.all(named: name) }

    /// Whether any `name` header lists `token` (comma-separated, case-insensitive), e.g. `Connection: keep-alive, Upgrade`.
    public func contains(_ name: String, token: String) -> Bool {
        all(name).contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(token) == .orderedSame }
        }
    }

    /// Removes every `name` header; returns how many were removed.
    @discardableResult
    public mutating func remove(_ name: String) -> Int {
        let before = fields.count
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        return before - fields.count
    }

    /// Appends a header.
    public mutating func add(_ name: String, _ value: String) { fields.append(HeaderField(name, value)) }

    /// Replaces every `name` header with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// The value of cookie `name` from the `Cookie` headers.
    public func cookie(_ name: String) -> String? {
        for header in all("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }
}
