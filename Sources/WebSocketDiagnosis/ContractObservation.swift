/// What the application profile expected and what the application actually said, when the two differ
/// on a connection that worked: the evidence of a contract mismatch (`client.contract-mismatch`).
///
/// Written by the probe runner when a wait the profile defines (the welcome, a reply, an event, the
/// subprotocol selection) ended with the connection still healthy and something else on the wire.
public struct ContractObservation: Codable, Sendable, Equatable {
    /// The profile that ran (`lab`, `netra`, `socketio`, a file's `name`).
    public var profile: String
    /// Each field of the profile the application did not match, in the order they were checked.
    public var mismatches: [ContractMismatch]

    public init(profile: String, mismatches: [ContractMismatch] = []) {
        self.profile = profile
        self.mismatches = mismatches
    }

    /// A copy with every text field scrubbed by `redactor` (the messages seen may carry anything).
    public func redacted(by redactor: Redactor) -> ContractObservation {
        ContractObservation(
            profile: redactor.text(profile),
            mismatches: mismatches.map {
                ContractMismatch(
                    field: redactor.text($0.field), expected: redactor.text($0.expected), observed: redactor.text($0.observed),
                    seen: $0.seen.map(redactor.text))
            })
    }
}

/// One profile field the application did not match.
public struct ContractMismatch: Codable, Sendable, Equatable {
    /// The profile field, as written in a profile file (`welcome`, `auth.selects`, `conversation[1].expect`).
    public var field: String
    /// What the profile expected there (`a connection_established message within 10 s`).
    public var expected: String
    /// What happened instead (`3 messages of other types, none matched`).
    public var observed: String
    /// The messages actually seen while waiting (scrubbed, each cut to a short preview; at most a few).
    public var seen: [String]

    public init(field: String, expected: String, observed: String, seen: [String] = []) {
        self.field = field
        self.expected = expected
        self.observed = observed
        self.seen = seen
    }
}
