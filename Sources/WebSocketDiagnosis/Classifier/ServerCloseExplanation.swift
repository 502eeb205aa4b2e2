import Foundation
import WebSocketWire

/// Why a server ended a connection on its own, from the timing of that end and the timeout probes: the
/// application's per-connection cap, its idle timeout, or a restart that ended several connections at the
/// same instant (docs/FAILURE_SIGNATURES.md, "A close we did not ask for").
///
/// A close frame the server sent first is its decision; what decided it shows in *when* it came: at the
/// same age as the pinged probe's close (a cap: traffic does not help), after the same silence as the silent
/// probe's close while the pinged probe lived (an idle timeout: traffic helps), or at the same wall-clock
/// instant as another connection's close whatever their ages (a restart).
enum ServerCloseExplanation {
    /// What explains a server's close.
    enum Kind: Equatable {
        case connectionCap(ms: Double)
        case idleTimeout(ms: Double)
        case restart
    }

    /// A close the server chose as a limit: no error, no restart code (1000, no status, 1001, 1008 and
    /// application codes). A 1012/1013 is a restart or overload; 1011 an error; 1002/1003/1007/1009 a
    /// complaint about a message.
    static func isLimitClose(_ code: Int?) -> Bool {
        guard let raw = code else { return true }
        let code = CloseCode(raw)
        return code == .normalClosure || code == .goingAway || code == .policyViolation || code.isApplicationDefined
    }

    /// The age of a probe transcript's end when the server closed it first with a limit close.
    static func serverClosedAge(_ probe: ConnectionTranscript?) -> (ageMs: Double, close: CloseFrameInfo)? {
        guard let probe, let open = probe.timings.openAtMs, let r = probe.close.received,
            probe.close.order == .receivedFirst || probe.close.order == .receivedOnly, isLimitClose(r.code)
        else { return nil }
        return (r.atMs - open, r)
    }

    /// The wall-clock instant of a transcript's end, when its start time is known.
    static func wallClockEnd(_ t: ConnectionTranscript) -> Date? {
        guard let started = t.startedAt, let at = t.close.received?.atMs ?? t.close.atMs else { return nil }
        return started.addingTimeInterval(at / 1000)
    }

    /// Explains the main connection's server close at `closeAtMs` from the measurements, with evidence.
    static func explain(_ context: ClassificationContext, closeAtMs: Double) -> (Kind, [Evidence])? {
        guard let m = context.measurements, let open = context.facts.openAtMs else { return nil }
        let age = closeAtMs - open
        let t = context.transcript
        let probes = [("lifetime", m.lifetimeTranscript), ("idle", m.idleTranscript)]

        // A restart ends connections at the same instant, whatever their ages.
        if let mainEnd = wallClockEnd(t) {
            for (name, probe) in probes {
                guard let probe, endedByPeer(probe), let end = wallClockEnd(probe), let probeOpen = probe.timings.openAtMs,
                    let probeEnd = probe.close.received?.atMs ?? probe.close.atMs
                else { continue }
                let probeAge = probeEnd - probeOpen
                let sameInstant = abs(end.timeIntervalSince(mainEnd)) * 1000 <= context.ms(\.measurementTolerance)
                if sameInstant, !context.agree(age, probeAge) {
                    return (
                        .restart,
                        [
                            Evidence(
                                rule: RuleName.unrequestedClose,
                                observation:
                                    "the \(name) probe's connection ended at the same instant (within \(Describe.ms(abs(end.timeIntervalSince(mainEnd)) * 1000))) at a different age (\(Describe.ms(probeAge)) against \(Describe.ms(age))): several connections ended together"
                            )
                        ]
                    )
                }
            }
        }
        // A cap: the pinged probe was closed by the server at the same age.
        if let capped = serverClosedAge(m.lifetimeTranscript),
            context.agree(capped.ageMs, age)
                || BareTransportEndRule.agreeSinceAccept(context, lived: age, probe: m.lifetimeTranscript, probeLived: capped.ageMs)
        {
            var evidence = [
                Evidence(
                    rule: RuleName.pingsVersusNoPings,
                    observation:
                        "the lifetime probe (\(Describe.pings(m))) was closed by the server too, \(Describe.close(code: capped.close.code, reason: capped.close.reason)) \(Describe.ms(capped.ageMs)) after open: traffic does not keep it alive"
                )
            ]
            if let idle = serverClosedAge(m.idleTranscript), context.agree(idle.ageMs, capped.ageMs) {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings, observation: "the silent probe was closed at \(Describe.ms(idle.ageMs)) too"))
            }
            return (.connectionCap(ms: capped.ageMs), evidence)
        }
        // An idle timeout: the silent probe was closed after the same silence while the pinged probe lived.
        if let idle = serverClosedAge(m.idleTranscript), m.lifetimeMs == nil, let lived = m.lifetimeProbeMs {
            let silence = dataSilence(context, before: closeAtMs)
            if context.agree(idle.ageMs, silence) {
                return (
                    .idleTimeout(ms: idle.ageMs),
                    [
                        Evidence(
                            rule: RuleName.pingsVersusNoPings,
                            observation:
                                "the silent probe was closed by the server, \(Describe.close(code: idle.close.code, reason: idle.close.reason)), after \(Describe.ms(idle.ageMs)); the probe with \(Describe.pings(context.measurements)) lived its full \(Describe.ms(lived)); this connection had no message for \(Describe.ms(silence)) before the close"
                        )
                    ]
                )
            }
        }
        return nil
    }

    /// Whether the server or the path ended a transcript's connection (its close first, or a bare end), not us.
    static func endedByPeer(_ t: ConnectionTranscript) -> Bool {
        switch t.close.order {
        case .receivedFirst, .receivedOnly: return true
        case .none: return TranscriptFacts(t).bareEnd
        case .sentFirst, .sentOnly: return false
        }
    }

    /// Time from the last data frame either way (or the open) to `time`.
    static func dataSilence(_ context: ClassificationContext, before time: Double) -> Double {
        let f = context.facts
        let lastIn = f.inboundDataAtMs.last { $0 < time }
        let lastOut = f.outboundMessagesAtMs.last { $0 < time }
        let last = [lastIn, lastOut, f.openAtMs].compactMap { $0 }.max() ?? 0
        return time - last
    }
}
