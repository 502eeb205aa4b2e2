import Foundation
import WebSocketDiagnosis

/// One open connection driven by the runner in the words of an ``ApplicationProfile``: decodes messages by
/// the profile's envelope, remembers the application events that arrived and the last messages seen (the
/// evidence of a contract mismatch), answers Engine.IO pings, and waits for what the profile expects within
/// a bound.
///
/// Used by one task at a time; not shared.
final class ProbeSession {
    let connection: WebSocketConnection
    let clock: ProbeClock
    let profile: ApplicationProfile
    /// Answer the server's Engine.IO pings (`2` → `3`); off with `--withhold-pongs`.
    let answerEnginePings: Bool
    /// Application event types received, in order of arrival.
    private(set) var receivedEvents: [String] = []
    /// Every error message the peer sent (the profile's error types), in order.
    private(set) var errorMessages: [String] = []
    /// The last application messages seen (scrubbed previews, at most ``seenLimit``), for contract evidence.
    private(set) var seen: [String] = []
    /// How many messages were seen in all.
    private(set) var seenTotal = 0
    /// The Engine.IO open packet's announced ping interval and timeout (ms), once it arrived.
    private(set) var engineIOOpen: (intervalMs: Double?, timeoutMs: Double?)?
    /// Engine.IO pings received from the server.
    private(set) var enginePings = 0

    static let seenLimit = 6

    init(connection: WebSocketConnection, clock: ProbeClock, profile: ApplicationProfile = .plain, answerEnginePings: Bool = true) {
        self.connection = connection
        self.clock = clock
        self.profile = profile
        self.answerEnginePings = answerEnginePings
    }

    /// How a wait ended.
    enum WaitOutcome {
        /// The wanted message arrived.
        case matched(ProfileMessage)
        /// Nothing matching within the bound (the connection is still open).
        case timedOut
        /// The connection ended.
        case closed(CloseObservation)
        /// The peer answered with an application error instead (scrubbed).
        case applicationError(String)
        /// A Socket.IO namespace refused our CONNECT (`44`), with its message (scrubbed).
        case refused(String)
    }

    /// Receives messages until one satisfies `wanted`, the bound passes, the connection ends, or the peer
    /// sends an error message. Engine.IO transport packets are handled here (pings answered) and reach
    /// `wanted` only as ``ProfileMessage/control``.
    func waitFor(within bound: Duration, until wanted: (ProfileMessage) -> Bool) async -> WaitOutcome {
        let deadline = clock.now() + bound
        while true {
            let remaining = deadline - clock.now()
            if remaining <= .zero { return .timedOut }
            switch await connection.receive(timeout: remaining) {
            case .timeout:
                return .timedOut
            case .closed(let observation):
                return .closed(observation)
            case .binary(let bytes):
                let message = ProfileMessage(type: nil, object: nil, control: nil, text: "<\(bytes.count) bytes binary>")
                note(message.text)
                if wanted(message) { return .matched(message) }
            case .text(let text):
                let message = ProfileMessage.decode(text, envelope: profile.envelope)
                if let outcome = await handleControl(message) { return outcome }
                if message.control == nil {
                    note(text)
                    if let type = message.type { receivedEvents.append(type) }
                }
                if wanted(message) { return .matched(message) }
                if let type = message.type, message.control == nil, profile.errorTypes.contains(type) {
                    // Scrubbed whole, before any caller cuts it for a step detail: a secret cut in half
                    // would no longer be recognised.
                    let scrubbed = connection.configuration.redactor.text(text)
                    errorMessages.append(scrubbed)
                    return .applicationError(scrubbed)
                }
            }
        }
    }

    /// Waits for a message whose event name is in `wanted` (any message when `nil`).
    func waitFor(_ wanted: Set<String>?, within bound: Duration, onMessage: (String?) -> Void = { _ in }) async -> WaitOutcome {
        await waitFor(within: bound) { message in
            guard message.control == nil else { return false }
            onMessage(message.type)
            guard let wanted else { return true }
            return message.type.map(wanted.contains) ?? false
        }
    }

    /// Reads whatever already arrived without waiting (answers Engine.IO pings during a sustain).
    func drain() async {
        _ = await waitFor(within: .milliseconds(1)) { _ in false }
    }

    /// Sends `outgoing` in the profile's envelope.
    func send(_ outgoing: ApplicationProfile.Outgoing, token: String?) async {
        await connection.send(text: ProfileMessage.encode(outgoing, envelope: profile.envelope, token: token))
    }

    /// Engine.IO / Socket.IO transport packets: pings answered, the open packet recorded, a refused CONNECT
    /// ends the wait. `nil` to go on.
    private func handleControl(_ message: ProfileMessage) async -> WaitOutcome? {
        switch message.control {
        case .ping?:
            enginePings += 1
            if answerEnginePings { await connection.send(text: "3") }
        case .open(let interval, let timeout)?:
            engineIOOpen = (interval, timeout)
        case .connectError(_, let text)?:
            note(message.text)
            return .refused(connection.configuration.redactor.text(text))
        default:
            break
        }
        return nil
    }

    /// Remembers a message for the evidence: scrubbed, on one line, cut to a preview.
    private func note(_ text: String) {
        let scrubbed = connection.configuration.redactor.text(text)
        let line = String(scrubbed.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        seenTotal += 1
        seen.append(line.count > 160 ? String(line.prefix(157)) + "…" : line)
        if seen.count > Self.seenLimit { seen.removeFirst(seen.count - Self.seenLimit) }
    }

    /// The messages seen after the first `total` (an earlier ``seenTotal``), at most ``seenLimit``: one wait's evidence.
    func seen(since total: Int) -> [String] { Array(seen.suffix(max(0, min(seenTotal - total, seen.count)))) }
}
