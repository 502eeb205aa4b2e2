/// The peer broke RFC 6455 in its frames (reserved bits or opcodes, masked frames, bad control frames,
/// invalid UTF-8, bad close bodies): our findings, whatever close followed.
struct PeerProtocolViolationRule: ClassificationRule {
    static let violations: Set<FindingCode> = [
        .reservedOpcode, .reservedBits, .maskedServerFrame, .oversizedControlFrame, .fragmentedControlFrame, .nonMinimalLength,
        .badContinuation, .invalidUTF8, .closeBodyTooShort, .invalidCloseCode, .dataAfterClose,
    ]

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let found = context.transcript.findings.filter { Self.violations.contains($0.code) }
        guard let first = found.first else { return nil }
        let evidence = found.map { f in
            Evidence(
                rule: RuleName.peerProtocolViolation, observation: "\(f.code)\(f.atMs.map { " at \(Describe.ms($0))" } ?? ""): \(f.detail)")
        }
        return Verdict(
            cause: .protocolError, confidence: Confidence.characteristic,
            summary: "The server sent frames that break RFC 6455 (\(first.code)): fix its framing or whatever rewrites frames on the path",
            evidence: evidence)
    }
}
