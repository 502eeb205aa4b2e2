/// The `Sec-WebSocket-Accept` computation's input (RFC 6455 §4.2.2): the client's key followed by the protocol's
/// GUID. The accept value is base64(SHA-1(input)); the hash is left to the caller's crypto library, this module
/// being standard library only. The client checks a server's answer with it and the lab's HTTP/2 front checks
/// its upstream's.
public enum HandshakeAccept {
    /// The GUID every accept value is computed with.
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The bytes to hash for `key`.
    public static func input(forKey key: String) -> [UInt8] { Array((key + guid).utf8) }
}
