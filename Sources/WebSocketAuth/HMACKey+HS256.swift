import Foundation
import JWTKit

extension HMACKey {
    /// The byte count HS256 wants from a key (RFC 7518 §3.2: a key of the same size as the hash output).
    public static let hs256PreferredBytes = 32

    /// An HS256 key for `secret`, of any length, that signs exactly as every other HS256 implementation does.
    ///
    /// jwt-kit asserts (a trap in debug builds) on keys shorter than 32 bytes, but staging secrets often are.
    /// HMAC pads every key shorter than the hash's block size (64 bytes for SHA-256) with zero bytes
    /// (RFC 2104 §2), so padding a short secret with zeros up to 32 bytes changes no signature: tokens
    /// minted with it verify anywhere the short secret is configured, and the reverse.
    public static func hs256(secret: String) -> HMACKey {
        var bytes = Array(secret.utf8)
        if bytes.count < hs256PreferredBytes {
            bytes += [UInt8](repeating: 0, count: hs256PreferredBytes - bytes.count)
        }
        return HMACKey(from: bytes)
    }
}
