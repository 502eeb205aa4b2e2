import Foundation

/// What an admin request asks the proxy to do, parsed from its method, path and body (sans I/O).
public enum AdminCommand: Sendable, Equatable {
    /// `GET /faults`: the installed faults as JSON.
    case listFaults
    /// `POST /faults`: install a fault.
    case addFault(FaultSpec)
    /// `DELETE /faults/NAME`: remove the faults named NAME.
    case removeFault(String)
    /// `POST /reset`: remove every fault.
    case reset
    /// `GET /metrics`: Prometheus text.
    case metrics

    /// The largest body accepted: 64 KiB.
    public static let maxBodyBytes = 64 * 1024

    /// Parses a request that passed ``AdminRequestPolicy``; the refusal says what is wrong (404, 405, 400).
    ///
    /// A `POST /faults` body is a JSON object `{"name": …, "parameters": {…}}`, a JSON string
    /// `"idle-timeout:after=2s"`, or (with a bearer token, any content type) the bare spec `idle-timeout:after=2s`.
    public static func parse(method: String, uri: String, body: [UInt8]) -> Result<AdminCommand, AdminRefusal> {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        let shown = AdminRefusal.quoted(path, limit: 80)
        switch (method, path) {
        case ("GET", "/faults"):
            return .success(.listFaults)
        case ("POST", "/faults"):
            guard body.count <= maxBodyBytes else {
                return .failure(AdminRefusal(status: 413, message: "body larger than \(maxBodyBytes / 1024) KiB"))
            }
            do {
                return .success(.addFault(try spec(from: body)))
            } catch {
                return .failure(AdminRefusal(status: 400, message: error.description))
            }
        case ("DELETE", _) where path.hasPrefix("/faults/"):
            let name = String(path.dropFirst("/faults/".count)).removingPercentEncoding ?? ""
            guard !name.isEmpty else {
                return .failure(AdminRefusal(status: 400, message: "DELETE /faults/NAME needs a fault name; GET /faults lists them"))
            }
            return .success(.removeFault(name))
        case ("POST", "/reset"):
            return .success(.reset)
        case ("GET", "/metrics"):
            return .success(.metrics)
        case (_, "/faults"), (_, "/reset"), (_, "/metrics"):
            return .failure(
                AdminRefusal(
                    status: 405,
                    message: "method \(AdminRefusal.quoted(method, limit: 16)) not allowed on \(shown): see ws1011 proxy --help"))
        default:
            return .failure(AdminRefusal(status: 404, message: "unknown path \(shown): use /faults, /faults/NAME, /reset or /metrics"))
        }
    }

    /// A body is a spec string, a JSON string, or a JSON object `{"name": …, "parameters": {…}}`.
    static func spec(from body: [UInt8]) throws(FaultSpecError) -> FaultSpec {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw FaultSpecError(
                spec: "", message: "empty body: send {\"name\":…,\"parameters\":{…}} or a JSON string such as \"idle-timeout:after=2s\"")
        }
        if text.hasPrefix("{") {
            struct Body: Decodable {
                var name: String
                var parameters: [String: String]?
            }
            guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(text.utf8)) else {
                throw FaultSpecError(spec: text, message: "JSON body must be {\"name\": string, \"parameters\": {string: string}}")
            }
            return FaultSpec(name: decoded.name, parameters: decoded.parameters ?? [:])
        }
        if text.hasPrefix("\""), let decoded = try? JSONDecoder().decode(String.self, from: Data(text.utf8)) {
            return try FaultSpec(parsing: decoded)
        }
        return try FaultSpec(parsing: text)
    }
}
