/// What one connection of a fleet probe (`--connections N`) did, in a few numbers.
///
/// A fleet holds up to a thousand connections, so each keeps this compact summary instead of its
/// transcript (the fleet keeps a few whole transcripts as ``FleetObservation/examples``). Times are
/// milliseconds since the fleet started, one clock for every connection, so that ends on different
/// connections can be compared: the same instant at different ages is one event (FAILURE_SIGNATURES rule 8).
public struct FleetConnection: Codable, Sendable, Equatable {
    /// How the connection's hold ended.
    public enum Outcome: String, Codable, Sendable {
        /// It lived the whole hold; the probe closed it.
        case held
        /// It ended during the hold, not by the probe's doing.
        case ended
        /// It never opened (no answer, or an answer other than 101).
        case notOpened = "not-opened"
        /// The run was stopped (`--max-time`, a signal) while it was held: its end says nothing.
        case cut
    }

    /// The connection's number in the fleet, from 0.
    public var index: Int
    public var outcome: Outcome
    /// When the connection attempt began.
    public var startedAtMs: Double
    /// When the TCP connection was established (the front's accept); `nil` when it never connected or the
    /// recording did not say.
    public var connectedAtMs: Double?
    /// When the upgrade completed; `nil` when it never opened.
    public var openedAtMs: Double?
    /// When the connection ended, for ``Outcome/ended``.
    public var endedAtMs: Double?
    /// How the transport ended.
    public var transportEnd: TransportEnd
    /// The close code the peer sent, when it sent a close frame (`nil` in a frame without status, and for a bare end).
    public var closeCode: Int?
    /// Whether a close frame arrived from the peer.
    public var closeReceived: Bool
    /// The reason of the peer's close frame (scrubbed), when one arrived.
    public var closeReason: String?
    /// The answer to the upgrade when it was not 101.
    public var handshakeStatus: Int?
    /// Why it never opened without an HTTP answer (`tcp connection-refused`).
    public var failure: String?
    /// After an end during the hold: the answer to one new upgrade made at once (101 when it opened again).
    public var reopenStatus: Int?
    /// After an end during the hold: why the new upgrade got no HTTP answer.
    public var reopenFailure: String?
    /// The backend instance that served the upgrade (its 101 or its refusal), when the front named it in a
    /// response header (``instanceHeaders``, or the user's own): scrubbed, at most ``maximumInstanceLength``
    /// characters; `nil` when no answer named one.
    public var instance: String?

    public init(
        index: Int, outcome: Outcome, startedAtMs: Double, connectedAtMs: Double? = nil, openedAtMs: Double? = nil,
        endedAtMs: Double? = nil,
        transportEnd: TransportEnd = .notConnected, closeCode: Int? = nil, closeReceived: Bool = false,
        closeReason: String? = nil, handshakeStatus: Int? = nil, failure: String? = nil, reopenStatus: Int? = nil,
        reopenFailure: String? = nil, instance: String? = nil
    ) {
        self.index = index
        self.outcome = outcome
        self.startedAtMs = startedAtMs
        self.connectedAtMs = connectedAtMs
        self.openedAtMs = openedAtMs
        self.endedAtMs = endedAtMs
        self.transportEnd = transportEnd
        self.closeCode = closeCode
        self.closeReceived = closeReceived
        self.closeReason = closeReason
        self.handshakeStatus = handshakeStatus
        self.failure = failure
        self.reopenStatus = reopenStatus
        self.reopenFailure = reopenFailure
        self.instance = instance
    }

    /// How long it had been open when it ended.
    public var ageMs: Double? {
        guard let openedAtMs, let endedAtMs else { return nil }
        return endedAtMs - openedAtMs
    }

    /// How long it had been connected when it ended, counted from the TCP connect: a front's cap runs from its
    /// accept, so a slow upgrade (a busy front) does not move this age as it moves ``ageMs``. Falls back to
    /// ``ageMs`` when the connect time is unknown.
    public var ageSinceConnectMs: Double? {
        guard let endedAtMs, openedAtMs != nil else { return nil }
        guard let connectedAtMs else { return ageMs }
        return endedAtMs - connectedAtMs
    }

    /// How it failed, in words two failures can be compared by: `close 1001`, `close without status`,
    /// `bare end`, `HTTP 503`, `no answer (tcp connection-refused)`; `held` or `cut` otherwise.
    public var signature: FleetEndSignature {
        switch outcome {
        case .held: return .held
        case .cut: return .cut
        case .notOpened:
            if let handshakeStatus { return .http(handshakeStatus) }
            return .noAnswer(failure ?? "unknown")
        case .ended:
            if closeReceived { return closeCode.map { .close($0) } ?? .closeWithoutStatus }
            return .bareEnd
        }
    }

    /// Whether the new upgrade after the end was refused (an error status, or no answer at all).
    public var reopenRefused: Bool {
        if let reopenStatus { return reopenStatus != 101 }
        return reopenFailure != nil
    }
}

extension Collection where Element == FleetConnection {
    /// The ages at the end of these connections, on the basis that spreads them least: counted from the open
    /// (a cap the application counts) or from the TCP connect (a cap the front counts from its accept). On a busy
    /// front the upgrade's time varies from one connection to the next, and only one of the two bases shows the
    /// cap's one age; a reload's ends are at different ages on both.
    public var endAges: [Double] { endAgesWithBasis.ages }

    /// ``endAges`` and the event they count from, in words: `open` or `TCP connect`.
    public var endAgesWithBasis: (ages: [Double], from: String) {
        let fromOpen = compactMap(\.ageMs)
        let fromConnect = compactMap(\.ageSinceConnectMs)
        func spread(_ a: [Double]) -> Double { (a.max() ?? 0) - (a.min() ?? 0) }
        guard fromConnect.count == fromOpen.count, spread(fromConnect) < spread(fromOpen) else { return (fromOpen, "open") }
        return (fromConnect, "TCP connect")
    }
}
