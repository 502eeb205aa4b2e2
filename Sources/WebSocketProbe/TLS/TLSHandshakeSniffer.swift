/// Reads the server's plaintext TLS handshake records for one fact NIOSSL does not expose: whether the
/// server asked for a client certificate (a CertificateRequest, handshake type 13). TLS 1.2 and earlier send
/// it in the clear; TLS 1.3 encrypts it, and there the server's `certificate_required` alert says it instead.
///
/// Bounded: it stops at the first record that is not a handshake record (ChangeCipherSpec, an alert,
/// encrypted data, or bytes that are not TLS at all) and after 64 KiB.
struct TLSHandshakeSniffer: Sendable, Equatable {
    /// The server sent a CertificateRequest.
    private(set) var certificateRequested = false
    /// Nothing more will be read.
    private(set) var finished = false
    private var records: [UInt8] = []
    private var handshake: [UInt8] = []
    private var seen = 0

    static let limit = 64 << 10

    /// Feeds bytes as they arrived from the socket.
    mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard !finished else { return }
        seen += bytes.count
        if seen > Self.limit { finished = true }
        records += bytes.prefix(max(0, Self.limit - records.count))
        while !finished, records.count >= 5 {
            let type = records[0]
            let length = Int(records[3]) << 8 | Int(records[4])
            // Handshake records only; anything else ends what can be read in the clear.
            guard type == 22, records[1] == 3, length <= 1 << 14 + 2048 else {
                finished = true
                break
            }
            guard records.count >= 5 + length else { break }
            handshake += records[5..<(5 + length)]
            records.removeFirst(5 + length)
            readMessages()
        }
    }

    private mutating func readMessages() {
        while handshake.count >= 4 {
            let type = handshake[0]
            let length = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
            guard handshake.count >= 4 + length else { return }
            handshake.removeFirst(4 + length)
            switch type {
            case 13: certificateRequested = true
            case 14: finished = true  // ServerHelloDone: the server's flight is over.
            default: break
            }
        }
        if handshake.count > Self.limit { finished = true }
    }
}
