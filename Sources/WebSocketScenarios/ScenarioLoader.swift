import Foundation
import WebSocketDiagnosis
import WebSocketLab

/// Reads and validates scenario files. Never crashes on a malformed file: every problem becomes a
/// ``ScenarioLoadError`` naming the file, the field and the fix.
public enum ScenarioLoader {
    /// TLS variants a scenario may name in `topology.tls`.
    public static let tlsVariants: Set<String> = Set(TLSVariant.allCases.map(\.rawValue))
    /// The longest duration a scenario may ask for: the catalog must stay fast.
    public static let longestDuration: Duration = .seconds(10)

    // MARK: - Loading

    /// Loads the scenario file at `path`.
    public static func load(path: String) throws(ScenarioLoadError) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioLoadError(
                path: path, message: "cannot read the file (\(error.localizedDescription)); check the path and its permissions")
        }
        let expectedID = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try decode(data, path: path, expectedID: expectedID)
    }

    /// Decodes and validates one scenario; `expectedID` (the file name stem) must equal its `id` when given.
    public static func decode(_ data: Data, path: String, expectedID: String? = nil) throws(ScenarioLoadError) -> Scenario {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ScenarioLoadError(path: path, message: "not valid JSON (\(describe(error))); fix the syntax (a missing comma or quote)")
        }
        guard let object = json as? [String: Any] else {
            throw ScenarioLoadError(
                path: path, message: "the top level must be a JSON object with id, title, cause, topology, probe and expected")
        }
        try checkKeys(object, path: path)
        let scenario: Scenario
        do {
            scenario = try JSONDecoder().decode(Scenario.self, from: data)
        } catch let error as DecodingError {
            throw loadError(error, path: path)
        } catch {
            throw ScenarioLoadError(path: path, message: describe(error))
        }
        try validate(scenario, path: path, expectedID: expectedID)
        return scenario
    }

    // MARK: - Unknown fields

    private static let schema: [String: [String]] = [
        "": Scenario.CodingKeys.allCases.map(\.rawValue),
        "cause": ScenarioCause.CodingKeys.allCases.map(\.rawValue),
        "topology": ScenarioTopology.CodingKeys.allCases.map(\.rawValue),
        "probe": ScenarioProbeOptions.CodingKeys.allCases.map(\.rawValue),
        "probe.keepalive": ScenarioProbeOptions.Keepalive.CodingKeys.allCases.map(\.rawValue),
        "expected": ScenarioExpectation.CodingKeys.allCases.map(\.rawValue),
        "expected.signature": ExpectedSignature.CodingKeys.allCases.map(\.rawValue),
        "expected.verdict": ExpectedVerdict.CodingKeys.allCases.map(\.rawValue),
    ]

    /// Rejects fields the model does not know: a typo must not be silently ignored.
    private static func checkKeys(_ object: [String: Any], path: String) throws(ScenarioLoadError) {
        for (prefix, known) in schema.sorted(by: { $0.key < $1.key }) {
            var node: Any? = object
            for part in prefix.split(separator: ".") { node = (node as? [String: Any])?[String(part)] }
            guard let dict = node as? [String: Any] else { continue }
            for key in dict.keys.sorted() where !known.contains(key) {
                let field = prefix.isEmpty ? key : "\(prefix).\(key)"
                let hint = DidYouMean.hint(for: key, among: known)
                throw ScenarioLoadError(
                    path: path, field: field,
                    message: "unknown field\(hint.isEmpty ? "." : hint) Valid fields here: \(known.joined(separator: ", "))")
            }
        }
        if let steps = object["timeline"] as? [Any] {
            let known = ScenarioTimelineStep.CodingKeys.allCases.map(\.rawValue)
            for (i, item) in steps.enumerated() {
                guard let dict = item as? [String: Any] else { continue }
                for key in dict.keys.sorted() where !known.contains(key) {
                    throw ScenarioLoadError(
                        path: path, field: "timeline[\(i)].\(key)",
                        message: "unknown field. Valid fields here: \(known.joined(separator: ", "))")
                }
            }
        }
        let timelineLists = ((object["timeline"] as? [Any]) ?? []).enumerated().flatMap { i, step in
            ["proxyFaults", "appFaults"].map { ("timeline[\(i)].\($0)", (step as? [String: Any])?[$0]) }
        }
        for (list, value) in [("proxyFaults", object["proxyFaults"]), ("appFaults", object["appFaults"])] + timelineLists {
            guard let array = value as? [Any] else { continue }
            for (i, item) in array.enumerated() {
                guard let dict = item as? [String: Any] else { continue }
                for key in dict.keys.sorted() where !["name", "parameters"].contains(key) {
                    throw ScenarioLoadError(
                        path: path, field: "\(list)[\(i)].\(key)",
                        message:
                            "unknown field: a fault object has 'name' and 'parameters' (or write it as a string, e.g. \"idle-timeout:after=1s\")"
                    )
                }
            }
        }
    }

    // MARK: - Semantic checks

    private static func validate(_ s: Scenario, path: String, expectedID: String?) throws(ScenarioLoadError) {
        func fail(_ field: String, _ message: String) -> ScenarioLoadError { ScenarioLoadError(path: path, field: field, message: message) }
        guard !s.id.isEmpty, s.id.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) else {
            throw fail("id", "'\(s.id)' must be non-empty lowercase letters, digits and '-' (e.g. proxy-idle-timeout)")
        }
        if let expectedID, expectedID != s.id {
            throw fail("id", "'\(s.id)' differs from the file name '\(expectedID).json'; rename the file or change the id")
        }
        if s.title.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("title", "must not be empty: one line for humans") }
        if s.cause.reference.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail(
                "cause.reference",
                "name the docs/FAILURE_SIGNATURES.md row this reproduces (e.g. 'infrastructure: nginx proxy_read_timeout')")
        }
        if let tls = s.topology.tls, !tlsVariants.contains(tls) {
            throw fail(
                "topology.tls",
                "unknown TLS variant '\(tls)'; valid: \(tlsVariants.sorted().joined(separator: ", ")) (or leave it out for ws://)")
        }
        if s.topology.wssToPlaintext, s.topology.tls != nil {
            throw fail("topology.wssToPlaintext", "wss:// to a plaintext port needs a server without TLS: remove 'topology.tls'")
        }
        if s.topology.http2, s.topology.path != .proxy || s.topology.tls == nil {
            throw fail(
                "topology.http2", "HTTP/2 is served by the proxy over TLS: set topology.path to \"proxy\" and topology.tls (e.g. \"valid\")"
            )
        }
        if let h2 = s.expected.signature.h2, HTTP2Observation.Outcome(rawValue: h2) == nil {
            throw fail(
                "expected.signature.h2",
                "unknown h2 outcome '\(h2)'; valid: \(HTTP2Observation.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if !s.topology.http2,
            let fault = s.proxyFaults.first(where: { fault in
                ((try? FaultRegistry.standard.make(fault.spec)) ?? []).contains { $0.fault is any HTTP2ConnectFault }
            })
        {
            throw fail("proxyFaults", "'\(fault.spec.name)' acts on WebSockets over HTTP/2: set topology.http2 to true (with topology.tls)")
        }
        if s.topology.path == .direct {
            if !s.proxyFaults.isEmpty { throw fail("proxyFaults", "proxy faults need the proxy: set topology.path to \"proxy\"") }
            if s.topology.instances != 1 {
                throw fail("topology.instances", "several instances need the proxy: set topology.path to \"proxy\"")
            }
        }
        for (i, fault) in s.proxyFaults.enumerated() {
            do { _ = try FaultRegistry.standard.make(fault.spec) } catch { throw fail("proxyFaults[\(i)]", error.description) }
        }
        for (i, fault) in s.appFaults.enumerated() {
            do { _ = try FaultRegistry.standard.makeApplicationFault(fault.spec) } catch {
                throw fail("appFaults[\(i)]", error.description)
            }
        }
        for (i, step) in s.timeline.enumerated() {
            if step.appFaults == nil, step.proxyFaults == nil {
                throw fail(
                    "timeline[\(i)]", "a step changes something: give 'appFaults' and/or 'proxyFaults' (an empty list removes them all)")
            }
            for (j, fault) in (step.appFaults ?? []).enumerated() {
                do { _ = try FaultRegistry.standard.makeApplicationFault(fault.spec) } catch {
                    throw fail("timeline[\(i)].appFaults[\(j)]", error.description)
                }
            }
            if step.proxyFaults != nil, s.topology.path == .direct {
                throw fail("timeline[\(i)].proxyFaults", "proxy faults need the proxy: set topology.path to \"proxy\"")
            }
            for (j, fault) in (step.proxyFaults ?? []).enumerated() {
                do { _ = try FaultRegistry.standard.make(fault.spec) } catch {
                    throw fail("timeline[\(i)].proxyFaults[\(j)]", error.description)
                }
            }
            if step.after.duration > longestDuration {
                throw fail("timeline[\(i)].after", "at most \(DurationText.format(longestDuration)) (scenarios stay short)")
            }
        }
        guard (1...8).contains(s.topology.instances) else { throw fail("topology.instances", "must be between 1 and 8") }
        guard ScenarioProbeOptions.profiles.contains(s.probe.profile) else {
            throw fail(
                "probe.profile",
                "unknown profile '\(s.probe.profile)'; valid: \(ScenarioProbeOptions.profiles.sorted().joined(separator: ", "))")
        }
        guard ScenarioProbeOptions.credentials.contains(s.probe.credential) else {
            throw fail(
                "probe.credential",
                "unknown channel '\(s.probe.credential)'; valid: \(ScenarioProbeOptions.credentials.sorted().joined(separator: ", "))")
        }
        if s.probe.direct, s.topology.path == .direct {
            throw fail("probe.direct", "a direct comparison needs a front: set topology.path to \"proxy\" or remove probe.direct")
        }
        let durations: [(String, ScenarioDuration?)] = [
            ("probe.idleProbe", s.probe.idleProbe), ("probe.lifetimeProbe", s.probe.lifetimeProbe), ("probe.sustain", s.probe.sustain),
            ("probe.keepalive.interval", s.probe.keepalive?.interval), ("probe.keepalive.timeout", s.probe.keepalive?.timeout),
            ("probe.handshakeTimeout", s.probe.handshakeTimeout), ("probe.messageTimeout", s.probe.messageTimeout),
        ]
        for (field, value) in durations {
            guard let d = value?.duration else { continue }
            if d > longestDuration || d <= .zero {
                throw fail(
                    field,
                    "\(DurationText.format(d)) is out of range: use more than 0 and at most \(DurationText.format(longestDuration)) (scenarios stay short)"
                )
            }
        }
        if let bytes = s.probe.messageBytes, !(1...(64 << 20)).contains(bytes) {
            throw fail("probe.messageBytes", "must be between 1 and 67108864, got \(bytes)")
        }
        let sig = s.expected.signature
        switch sig.from {
        case .main: break
        case .direct where !s.probe.direct: throw fail("expected.signature.from", "'direct' needs probe.direct = true")
        case .idle where s.probe.idleProbe == nil: throw fail("expected.signature.from", "'idle' needs probe.idleProbe (e.g. \"3s\")")
        case .lifetime where s.probe.lifetimeProbe == nil:
            throw fail("expected.signature.from", "'lifetime' needs probe.lifetimeProbe (e.g. \"3s\")")
        default: break
        }
        if let w = sig.endWindowMs {
            guard w.count == 2, w[0] >= 0, w[0] <= w[1] else {
                throw fail("expected.signature.endWindowMs", "write [min, max] in ms after the open, min ≤ max, e.g. [800, 2000]")
            }
        }
        if let code = sig.closeCode, !(1000...4999).contains(code) {
            throw fail("expected.signature.closeCode", "must be 1000…4999, got \(code)")
        }
        if let status = sig.handshakeStatus, !(100...599).contains(status) {
            throw fail("expected.signature.handshakeStatus", "must be an HTTP status 100…599, got \(status)")
        }
        if let tls = sig.tlsFailure, TLSFailureReason(rawValue: tls) == nil {
            throw fail(
                "expected.signature.tlsFailure",
                "unknown reason '\(tls)'; valid: \(TLSFailureReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let v = s.expected.verdict
        if v.cause.layer != v.layer, !(v.layer == .healthy && v.cause.rawValue == "healthy") {
            throw fail(
                "expected.verdict.cause",
                "'\(v.cause)' does not belong to layer '\(v.layer.rawValue)': a cause id starts with its layer (e.g. \(v.layer.rawValue).…)"
            )
        }
    }

    // MARK: - Helpers

    /// Turns a `DecodingError` into a load error naming the field.
    static func loadError(_ error: DecodingError, path: String) -> ScenarioLoadError {
        func field(_ codingPath: [any CodingKey]) -> String? {
            var out = ""
            for key in codingPath {
                if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out.isEmpty ? nil : out
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let f = field(ctx.codingPath + [key])
            return ScenarioLoadError(
                path: path, field: f, message: "is required but missing; add it (see Fixtures/scenarios/README or an existing scenario)")
        case .typeMismatch(let type, let ctx):
            return ScenarioLoadError(
                path: path, field: field(ctx.codingPath), message: "has the wrong type: expected \(typeName(type)). \(ctx.debugDescription)"
            )
        case .valueNotFound(let type, let ctx):
            return ScenarioLoadError(
                path: path, field: field(ctx.codingPath), message: "is null: give a \(typeName(type)) or remove the field")
        case .dataCorrupted(let ctx):
            var message = ctx.debugDescription
            if ctx.codingPath.last?.stringValue == "layer" {
                message = "unknown layer; valid: " + Layer.allCases.map(\.rawValue).joined(separator: ", ")
            } else if ctx.codingPath.last?.stringValue == "path" {
                message = "must be \"direct\" or \"proxy\""
            } else if ctx.codingPath.last?.stringValue == "from" {
                message = "must be one of " + SignatureSource.allCases.map(\.rawValue).joined(separator: ", ")
            }
            return ScenarioLoadError(path: path, field: field(ctx.codingPath), message: message)
        @unknown default:
            return ScenarioLoadError(path: path, message: describe(error))
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "\(type)".contains("Dictionary") ? "an object" : "\(type)"
        }
    }

    private static func describe(_ error: any Error) -> String {
        (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
    }
}
