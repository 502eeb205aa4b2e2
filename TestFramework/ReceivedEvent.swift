import Foundation
import WebSocketProbe

/// One JSON text message of the reference backend (`{"type": …, "payload": {…}}`), parsed leniently.
public struct ReceivedEvent: Sendable, Equatable {
    /// The `type` field, or `""` when the message is not a JSON object with one.
    public var type: String
    /// The raw text.
    public var text: String

    /// Parses `text`.
    public init(text: String) {
        self.text = text
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        type = object?["type"] as? String ?? ""
    }

    /// A string or number field, looked up in `payload` first, then at the top level (`run_id`, `user_id`).
    public func field(_ name: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return nil }
        for container in [object["payload"] as? [String: Any], object, object["data"] as? [String: Any]] {
            guard let value = container?[name] else { continue }
            if let s = value as? String { return s }
            if let n = value as? NSNumber { return n.stringValue }
        }
        return nil
    }
}
