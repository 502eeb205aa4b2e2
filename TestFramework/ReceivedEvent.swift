import Foundation
import WebSocketProbe

/// One text message as the test run's profile reads it (``TestContract``: `{"type": …, "payload": {…}}` for the
/// lab, Socket.IO events, …), parsed leniently.
public struct ReceivedEvent: Sendable, Equatable {
    /// The event name (the lab's `type` field), or `""` when the message has none.
    public var type: String
    /// The raw text.
    public var text: String

    /// Parses `text`.
    public init(text: String) {
        self.text = text
        type = ProfileMessage.decode(text, envelope: TestContract.profile.envelope).type ?? ""
    }

    /// A string or number field, looked up in the payload first (`payload`, or the profile's payload key), then at
    /// the top level (`run_id`, `user_id`), then under `data`.
    public func field(_ name: String) -> String? {
        let root = ProfileMessage.decode(text, envelope: TestContract.profile.envelope).object
        guard let object = root as? [String: Any] else { return nil }
        var payloadKey = "payload"
        if case .json(_, let key) = TestContract.profile.envelope { payloadKey = key }
        for container in [
            object[payloadKey] as? [String: Any], object["payload"] as? [String: Any], object, object["data"] as? [String: Any],
        ] {
            guard let value = container?[name] else { continue }
            if let s = value as? String { return s }
            if let n = value as? NSNumber { return n.stringValue }
        }
        return nil
    }
}
