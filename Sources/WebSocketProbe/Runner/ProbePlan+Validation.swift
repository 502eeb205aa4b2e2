import Foundation

extension ProbePlan {
    /// Checks what can be checked before any connection: the CA file is readable and holds PEM
    /// certificates, durations are positive, the agent payload is a JSON object.
    /// - Throws: ``ProbeError`` saying what to fix.
    public func validate() throws(ProbeError) {
        if let caFile = tls.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ProbeError.unreadableCAFile(path: caFile, reason: FileManager.default.fileExists(atPath: caFile) ? "it is not readable" : "no such file")
            }
            guard let data = FileManager.default.contents(atPath: caFile),
                String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
            else {
                throw ProbeError.unreadableCAFile(path: caFile, reason: "it holds no PEM certificate")
            }
        }
        for (name, value) in [("--idle-probe", idleProbe), ("--lifetime-probe", lifetimeProbe), ("--sustain", sustain)] {
            if let value, value <= .zero { throw ProbeError.invalidConfiguration("\(name) must be longer than zero") }
        }
        if let keepalive, keepalive.interval <= .zero || keepalive.timeout <= .zero {
            throw ProbeError.invalidConfiguration("--keepalive needs an interval and a timeout longer than zero, e.g. 5s:10s")
        }
        if let messageSize, messageSize < 1 {
            throw ProbeError.invalidConfiguration("--message-size must be at least 1 byte")
        }
        guard trafficInterval > .zero else { throw ProbeError.invalidConfiguration("the traffic interval must be longer than zero") }
        guard let data = agentPayloadJSON.data(using: .utf8), (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw ProbeError.invalidConfiguration("the agent payload must be a JSON object, e.g. {\"message\":\"hello\"}")
        }
    }
}
