import Foundation
import WebSocketDiagnosis
import WebSocketProbe

/// The framework's way to open connections in tests: every transcript is registered with the running
/// test's ``WireByteCounter`` so `.realIO` can prove bytes crossed a socket.
public enum TestConnections {
    /// Connects (bounded by the configuration's timeouts) and registers what crossed the socket so far.
    public static func connect(_ configuration: ClientConfiguration) async -> WebSocketConnection {
        let connection = await WebSocketConnection.connect(configuration)
        WireByteCounter.register(await connection.transcript())
        return connection
    }

    /// The connection's transcript, registered with the running test's counter.
    public static func transcript(of connection: WebSocketConnection) async -> ConnectionTranscript {
        let t = await connection.transcript()
        WireByteCounter.register(t)
        return t
    }

    /// Closes (bounded) and returns the final transcript, registered.
    public static func close(_ connection: WebSocketConnection, code: Int = 1000) async -> ConnectionTranscript {
        await connection.close(code: code, reason: "")
        return await transcript(of: connection)
    }

    /// Sends the event `type` with `payload` in the run's profile envelope (the lab's `{"type", "payload"}`;
    /// payload values: strings, numbers, booleans).
    public static func send(_ connection: WebSocketConnection, type: String, payload: [String: any Sendable] = [:]) async {
        await TestContract.send(connection, type: type, payload: payload)
    }

    /// Receives JSON events until one of type `until` arrives, the connection ends, or `timeout` passes in total.
    /// Returns the events in order of arrival (the `until` event included) and how the wait ended.
    public static func receiveEvents(
        _ connection: WebSocketConnection, until: Set<String>, timeout: Duration
    ) async -> (events: [ReceivedEvent], outcome: ReceiveOutcome) {
        let deadline = ContinuousClock.now + timeout
        var events: [ReceivedEvent] = []
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return (events, .timedOut) }
            switch await connection.receive(timeout: remaining) {
            case .text(let text):
                // Engine.IO's ping is answered here, so a Socket.IO server keeps the connection.
                if case .socketIO = TestContract.profile.envelope, text == "2" {
                    await connection.send(text: "3")
                    continue
                }
                let event = ReceivedEvent(text: text)
                events.append(event)
                if until.contains(event.type) { return (events, .reached) }
            case .binary:
                continue
            case .closed(let close):
                return (events, .closed(close))
            case .timeout:
                return (events, .timedOut)
            }
        }
    }

    /// How ``receiveEvents(_:until:timeout:)`` ended.
    public enum ReceiveOutcome: Sendable, Equatable {
        case reached
        case timedOut
        case closed(CloseObservation)
    }
}
