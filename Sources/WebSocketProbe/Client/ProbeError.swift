import WebSocketDiagnosis

/// A usage or configuration error (a malformed URL, an unreadable CA file).
///
/// Never used for what a peer or the network does: a failed probe is data in the transcript.
public struct ProbeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The full message: what is wrong and how to fix it.
    public var description: String
    /// A bounded, stable form usable as a metric label (`malformed-url`, `unreadable-ca-file`).
    public var shortDescription: String

    /// Creates an error from a full message and a stable short label.
    public init(description: String, shortDescription: String) {
        self.description = description
        self.shortDescription = shortDescription
    }

    // MARK: - Factories

    /// `input` is not a usable `ws://` or `wss://` URL.
    public static func malformedURL(_ input: String, reason: String) -> ProbeError {
        ProbeError(
            description: "malformed URL '\(Redactor().url(input))': \(reason). Write it as ws://host[:port]/path or wss://host[:port]/path",
            shortDescription: "malformed-url")
    }

    /// The CA file at `path` could not be read or holds no PEM certificate.
    public static func unreadableCAFile(path: String, reason: String) -> ProbeError {
        ProbeError(
            description:
                "cannot use CA file '\(path)': \(reason). Give a readable PEM file with one or more '-----BEGIN CERTIFICATE-----' blocks",
            shortDescription: "unreadable-ca-file")
    }

    /// The client certificate or key (`--cert`, `--key`) at `path` cannot be used.
    public static func unusableClientCertificate(path: String, reason: String) -> ProbeError {
        ProbeError(
            description: "cannot use client certificate file '\(path)': \(reason)",
            shortDescription: "unusable-client-certificate")
    }

    /// A header given on the command line is not `Name: value`.
    /// Only the name part of the input is shown: a malformed header is often a credential missing its colon
    /// (`Authorization Bearer …`), and its value must not reach a terminal or a CI log.
    public static func invalidHeader(_ input: String) -> ProbeError {
        let name = input.prefix { $0 != ":" && !$0.isWhitespace }
        let shown = name.count == input.count ? Redactor().text(input) : "\(name) <redacted>"
        return ProbeError(
            description: "invalid header '\(shown)': write it as 'Name: value' (a token name, a colon, then the value; no line breaks)",
            shortDescription: "invalid-header")
    }

    /// A duration could not be parsed.
    public static func invalidDuration(_ input: String) -> ProbeError {
        ProbeError(
            description: "invalid duration '\(input)': write a number followed by a unit, e.g. 250ms, 10s, 1.5s, 5m",
            shortDescription: "invalid-duration")
    }

    /// Trust roots given inline or in a file could not be parsed.
    public static func invalidTrustRoots(_ reason: String) -> ProbeError {
        ProbeError(
            description: "invalid trust roots: \(reason). Give PEM certificates ('-----BEGIN CERTIFICATE-----' blocks)",
            shortDescription: "invalid-trust-roots")
    }

    /// Any other invalid configuration value.
    public static func invalidConfiguration(_ reason: String) -> ProbeError {
        ProbeError(description: "invalid configuration: \(reason)", shortDescription: "invalid-configuration")
    }
}
