/// What to run next to learn more (or to let the probe in): advice as data, not as words.
///
/// The classifier knows what would settle a question ("compare with the backend direct"), not how a
/// particular front end spells it: the CLI says `rerun with --direct`, the exporter names a module
/// setting. A renderer turns each step into words with an ``AdviceWording`` and appends them to the
/// verdict's summary (``Verdict/summary(wordedBy:)``).
public struct NextStep: Sendable, Hashable {
    /// The action.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Run the same plan straight to the backend too and compare the two paths.
        case compareDirect
        /// Measure the idle timeout and the per-connection cap (the timeout-discovery probes).
        case measureTimeouts
        /// Measure the per-connection cap (a pinged connection held long).
        case measureLifetime
        /// Run the auth-channel matrix (the credential by subprotocol, header and query).
        case tryAuthChannels
        /// Send a credential.
        case sendCredential
        /// Send an `Origin` header the server allows.
        case sendOrigin
        /// Give the run more time, or shorter probes, so the main attempt can finish.
        case allowMoreTime
        /// Offer the client certificate and key a mutual-TLS front expects.
        case offerClientCertificate
        /// Give the forward proxy the credentials it asks for.
        case giveProxyCredentials
        /// Reach the host without the forward proxy (exempt it), where it is reachable directly.
        case bypassProxy
        /// Run the same plan over HTTP/1.1 (the run went over HTTP/2) to tell whether only browsers fail.
        case compareHTTP1
    }

    /// What to do.
    public var action: Action
    /// Why, or when, in words that name no tool ("to tell which", "if it always ends at the same age");
    /// empty when the action says it all.
    public var purpose: String

    /// A step: `action`, for `purpose` (default none).
    public init(_ action: Action, _ purpose: String = "") {
        self.action = action
        self.purpose = purpose
    }

    /// Compare with the backend direct (``Action/compareDirect``).
    public static func compareDirect(_ purpose: String = "") -> NextStep { NextStep(.compareDirect, purpose) }
}

/// Puts ``NextStep``s into words for one front end (the CLI's flags, the exporter's module settings).
public protocol AdviceWording: Sendable {
    /// The imperative for `action`, starting in lower case: "rerun with --direct".
    func words(for action: NextStep.Action) -> String
}

extension AdviceWording {
    /// `step` as a clause: the action's words, then its purpose.
    public func clause(_ step: NextStep) -> String {
        step.purpose.isEmpty ? words(for: step.action) : "\(words(for: step.action)) \(step.purpose)"
    }
}

/// Words that name no tool: the fallback of a report encoded without a front end's wording.
public struct PlainAdviceWording: AdviceWording {
    public init() {}

    public func words(for action: NextStep.Action) -> String {
        switch action {
        case .compareDirect: "probe the backend directly too"
        case .measureTimeouts: "measure the idle timeout and the connection lifetime"
        case .measureLifetime: "measure the connection lifetime with a pinged connection"
        case .tryAuthChannels: "try the credential by subprotocol, header and query"
        case .sendCredential: "send a credential"
        case .sendOrigin: "send an allowed Origin header"
        case .allowMoreTime: "allow the run more time, or shorten its probes"
        case .offerClientCertificate: "offer the client certificate and key the front expects"
        case .giveProxyCredentials: "give the proxy its credentials"
        case .bypassProxy: "exempt the host from the proxy"
        case .compareHTTP1: "run the same plan over HTTP/1.1"
        }
    }
}

extension DiagnosisReport {
    /// A copy whose verdict carries its next steps in `wording`'s words (``Verdict/worded(by:)``).
    public func worded(by wording: some AdviceWording) -> DiagnosisReport {
        var copy = self
        copy.verdict = verdict.worded(by: wording)
        return copy
    }
}
