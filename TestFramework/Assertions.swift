import Testing
import WebSocketDiagnosis

// MARK: - Close

/// Expects how a connection ended: the effective close code (1006 for no close frame), a reason substring,
/// whether a close frame arrived, and when (ms after the open).
public func expectClose(
    _ transcript: ConnectionTranscript, code: Int? = nil, reasonContains: String? = nil, closeFrameReceived: Bool? = nil,
    endWithinMsOfOpen window: ClosedRange<Double>? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    let close = transcript.close
    let seen = closeWords(close)
    if let code {
        #expect(close.effectiveCode == code, "expected close \(code), observed \(seen)", sourceLocation: sourceLocation)
    }
    if let reasonContains {
        let reason = close.received?.reason ?? ""
        #expect(
            reason.range(of: reasonContains, options: .caseInsensitive) != nil,
            "expected a close reason containing '\(reasonContains)', observed \(seen)", sourceLocation: sourceLocation)
    }
    if let closeFrameReceived {
        #expect(
            (close.received != nil) == closeFrameReceived,
            "expected \(closeFrameReceived ? "a close frame from the peer" : "no close frame (a bare transport end)"), observed \(seen)",
            sourceLocation: sourceLocation)
    }
    if let window {
        guard let open = transcript.timings.openAtMs, let end = close.received?.atMs ?? close.atMs else {
            Issue.record(
                "expected the connection to open and end within \(window) ms of the open, observed \(seen)", sourceLocation: sourceLocation)
            return
        }
        #expect(
            window.contains(end - open), "expected the end \(window) ms after the open, observed \(Int(end - open)) ms (\(seen))",
            sourceLocation: sourceLocation)
    }
}

/// Words for a close observation in failure messages.
func closeWords(_ close: CloseObservation) -> String {
    var parts: [String] = []
    if let r = close.received {
        parts.append("received close \(r.code.map(String.init) ?? "(no status)") '\(r.reason)'")
    } else {
        parts.append("no close frame received")
    }
    if let s = close.sent { parts.append("sent close \(s.code.map(String.init) ?? "(no status)")") }
    parts.append("transport \(close.transportEnd.rawValue)")
    if let at = close.atMs { parts.append("at \(Int(at)) ms") }
    return parts.joined(separator: ", ")
}

// MARK: - Events

/// Expects `expected` to appear in `received` in that order (other events may come in between; repeats allowed).
public func expectEvents(_ received: [String], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    var next = 0
    for event in received where next < expected.count && event == expected[next] { next += 1 }
    if next < expected.count {
        let missing = expected[next...].joined(separator: ", ")
        Issue.record(
            "expected events in order [\(expected.joined(separator: ", "))]; missing from '\(expected[next])' on (\(missing)); received [\(received.joined(separator: ", "))]",
            sourceLocation: sourceLocation)
    }
}

/// Expects `received` to hold exactly `expected`, in order.
public func expectEventsExactly(_ received: [String], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
        received == expected, "expected exactly [\(expected.joined(separator: ", "))], received [\(received.joined(separator: ", "))]",
        sourceLocation: sourceLocation)
}

// MARK: - Verdict

/// Expects a verdict's layer (and cause, when given), printing the summary and evidence when it differs.
public func expectVerdict(_ verdict: Verdict, layer: Layer, cause: CauseID? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let evidence = verdict.evidence.map { "\($0.rule): \($0.observation)" }.joined(separator: " | ")
    let seen = "\(verdict.layer.rawValue) / \(verdict.cause.rawValue) — \(verdict.summary) [evidence: \(evidence)]"
    #expect(verdict.layer == layer, "expected layer \(layer.rawValue), got \(seen)", sourceLocation: sourceLocation)
    if let cause {
        #expect(verdict.cause == cause, "expected cause \(cause.rawValue), got \(seen)", sourceLocation: sourceLocation)
    }
}
