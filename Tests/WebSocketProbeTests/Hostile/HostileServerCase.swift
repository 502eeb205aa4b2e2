import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

/// One misbehaving server and what the client must make of it.
struct HostileServerCase: Sendable, CustomTestStringConvertible {
    /// A 101 with 70 KiB of headers, built once (not by the script while the client's upgrade bound runs).
    static let oversizedHead: [UInt8] = {
        var head = "HTTP/1.1 101 Switching Protocols\r\n"
        for i in 0..<700 { head += "X-Padding-\(i): \(String(repeating: "a", count: 90))\r\n" }
        return Array((head + "\r\n").utf8)
    }()

    /// Names the misbehaviour (shown as the test argument).
    var name: String
    /// Connect with `wss://` (the server still speaks raw TCP unless ``tlsServer``).
    var secure = false
    /// The server completes a real TLS handshake (lab CA, trusted by the client) before misbehaving.
    var tlsServer = false
    /// A finding that must be in `transcript.findings`; `nil`: none is required.
    var finding: FindingCode?
    /// `transcript.failure?.kind`; `nil`: there must be no failure.
    var failureKind: ProbeFailureKind?
    /// The close code the client must have sent, when it fails the connection itself.
    var sentCloseCode: Int?
    /// The close code the client must have received.
    var receivedCloseCode: Int?
    /// Client settings beyond the short test bounds.
    var configure: @Sendable (inout ClientConfiguration) -> Void = { _ in }
    /// Extra checks on the transcript.
    var check: @Sendable (ConnectionTranscript) -> [String] = { _ in [] }
    /// What the server does.
    var script: @Sendable (HostilePeer) async throws -> Void

    var testDescription: String { name }
}

extension HostileServerCase {
    /// A 101, then `bytes`, then the server waits for the client to end the connection.
    static func after101(
        _ name: String, _ bytes: [UInt8], finding: FindingCode, sentClose: Int? = 1002,
        failure: ProbeFailureKind? = .protocolError, configure: @escaping @Sendable (inout ClientConfiguration) -> Void = { _ in }
    ) -> Self {
        HostileServerCase(name: name, finding: finding, failureKind: failure, sentCloseCode: sentClose, configure: configure) { peer in
            try await peer.acceptUpgrade()
            try await peer.write(bytes)
            await peer.drain()
        }
    }

    /// The whole table (≥ 30 cases), one per misbehaviour.
    static let all: [HostileServerCase] = handshakeCases + frameCases + closeCases + transportCases + floodCases

    // MARK: - Handshake

    static let handshakeCases: [HostileServerCase] = [
        HostileServerCase(name: "garbage after the 101", finding: .reservedOpcode, failureKind: "protocol-error", sentCloseCode: 1002) {
            peer in
            try await peer.acceptUpgrade(trailing: Array("GARBAGE\r\n\r\n".utf8))
            await peer.drain()
        },
        HostileServerCase(
            name: "a second HTTP response after the 101", finding: .reservedBits, failureKind: "protocol-error", sentCloseCode: 1002
        ) { peer in
            try await peer.acceptUpgrade()
            try await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await peer.drain()
        },
        HostileServerCase(name: "a response that never ends its headers", finding: .timeout, failureKind: "handshake-timeout") { peer in
            try await peer.readRequest()
            try await peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
            await peer.drain()
        },
        HostileServerCase(name: "one byte a second (slowloris)", finding: .timeout, failureKind: "handshake-timeout") { peer in
            try await peer.readRequest()
            for byte in "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8 {
                try await peer.write([byte])
                try await Task.sleep(for: .seconds(1))
            }
        },
        HostileServerCase(name: "70 KiB of response headers", finding: .oversizedHead, failureKind: "invalid-upgrade-response") { peer in
            try await peer.readRequest()
            try await peer.write(HostileServerCase.oversizedHead)
            await peer.drain()
        },
        HostileServerCase(name: "a 101 without Upgrade", finding: .missingUpgradeHeader, failureKind: "invalid-upgrade-response") { peer in
            try await peer.acceptUpgrade(drop: ["Upgrade"])
            await peer.drain()
        },
        HostileServerCase(name: "a 101 without Connection", finding: .missingConnectionHeader, failureKind: "invalid-upgrade-response") {
            peer in
            try await peer.acceptUpgrade(drop: ["Connection"])
            await peer.drain()
        },
        HostileServerCase(name: "a 101 with a bad accept key", finding: .badAcceptKey, failureKind: "invalid-upgrade-response") { peer in
            try await peer.acceptUpgrade(accept: "dGhpcyBpcyBub3QgdGhlIGtleQ==")
            await peer.drain()
        },
        HostileServerCase(
            name: "a 101 selecting a subprotocol never offered", finding: .unexpectedSubprotocol, failureKind: "invalid-upgrade-response"
        ) { peer in
            try await peer.acceptUpgrade(extra: ["Sec-WebSocket-Protocol: graphql-ws"])
            await peer.drain()
        },
        HostileServerCase(name: "not HTTP at all", finding: .malformedResponse, failureKind: "invalid-upgrade-response") { peer in
            try await peer.readRequest()
            try await peer.write("SSH-2.0-OpenSSH_9.6\r\n")
            await peer.drain()
        },
        HostileServerCase(name: "a server that never answers", finding: .timeout, failureKind: "handshake-timeout") { peer in
            try await peer.readRequest()
            await peer.drain()
        },
        HostileServerCase(name: "EOF in the middle of the response head", failureKind: "connection-closed") { peer in
            try await peer.readRequest()
            try await peer.write("HTTP/1.1 101 Switching Protocols\r\nUpg")
        },
    ]

    // MARK: - Frames

    static let frameCases: [HostileServerCase] =
        [
            after101("a frame length of 2^63", HostileFrame.raw(0x82, length: 1 << 63), finding: .oversizedFrame),
            // Built by hand: the codec never writes a length in a longer form than it needs (RFC 6455 §5.2).
            after101(
                "a 5-byte text frame with a 16-bit length", [0x81, 0x7E, 0x00, 0x05] + Array("hello".utf8), finding: .nonMinimalLength),
            after101(
                "a 126-byte binary frame with a 64-bit length",
                [0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0x00, 0x7E] + [UInt8](repeating: 0x42, count: 126),
                finding: .nonMinimalLength),
            after101(
                "a 1 GiB frame against a 64 KiB frame bound",
                HostileFrame.raw(0x82, length: 1 << 30, payload: [UInt8](repeating: 0x41, count: 4096)),
                finding: .oversizedFrame, sentClose: 1009, configure: { $0.maxFrameBytes = 64 << 10 }),
            after101(
                "an oversized control frame (ping of 126 bytes)", HostileFrame.frame(0x9, [UInt8](repeating: 1, count: 126)),
                finding: .oversizedControlFrame),
            after101("a fragmented control frame", HostileFrame.frame(0x9, [1, 2], fin: false), finding: .fragmentedControlFrame),
        ]
        + ([0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF] as [UInt8]).map { opcode in
            after101(
                "reserved opcode 0x\(String(opcode, radix: 16, uppercase: true))",
                HostileFrame.frame(FrameOpcode(rawValue: opcode), [0x61]), finding: .reservedOpcode)
        } + [
            after101("RSV1 set without an extension", HostileFrame.frame(0x1, Array("hi".utf8), rsv: 0x4), finding: .reservedBits),
            after101("RSV3 set on a ping", HostileFrame.frame(0x9, [], rsv: 0x1), finding: .reservedBits),
            after101(
                "a masked server frame", HostileFrame.raw(0x81, payload: Array("hi".utf8), mask: [1, 2, 3, 4]), finding: .maskedServerFrame),
            after101("invalid UTF-8 in a text frame", HostileFrame.frame(0x1, [0x68, 0xC3, 0x28]), finding: .invalidUTF8, sentClose: 1007),
            after101(
                "invalid UTF-8 split across fragments",
                HostileFrame.frame(0x1, [0xE2, 0x82], fin: false) + HostileFrame.frame(0x0, [0x28]),
                finding: .invalidUTF8, sentClose: 1007),
            after101("a continuation without a start", HostileFrame.frame(0x0, [0x61]), finding: .badContinuation),
            after101(
                "a new text frame inside a fragmented message",
                HostileFrame.frame(0x1, [0x61], fin: false) + HostileFrame.frame(0x1, [0x62]),
                finding: .badContinuation),
            after101(
                "a message larger than the client's bound", HostileFrame.frame(0x2, [UInt8](repeating: 7, count: 2048)),
                finding: .oversizedMessage, sentClose: 1009, configure: { $0.maxMessageBytes = 1024 }),
        ]

    // MARK: - Close frames

    static let closeCases: [HostileServerCase] =
        [1005, 1006, 999, 5000, 1004, 2999, 1015].map { code in
            after101("close code \(code) on the wire", HostileFrame.close(code), finding: .invalidCloseCode)
        } + [
            after101("a close frame with a 1-byte body", HostileFrame.frame(0x8, [0x03]), finding: .closeBodyTooShort),
            after101(
                "invalid UTF-8 in a close reason", HostileFrame.close(1000, reason: [0xFF, 0xFE]), finding: .invalidUTF8, sentClose: 1007),
            HostileServerCase(name: "a close, then data", finding: .dataAfterClose, failureKind: nil, receivedCloseCode: 1000) { peer in
                try await peer.acceptUpgrade()
                try await peer.write(HostileFrame.close(1000) + HostileFrame.frame(0x1, Array("late".utf8)))
                await peer.drain()
            },
            // RFC 6455 §5.5.1 forbids data after a close, not control frames: Python websockets answers a ping that
            // crossed its close with a pong, and that is no protocol error.
            HostileServerCase(
                name: "a close, then a pong", failureKind: nil, receivedCloseCode: 1000,
                check: { t in
                    t.findings.contains { $0.code == .dataAfterClose } ? ["a pong after the close was called data after close"] : []
                }
            ) { peer in
                try await peer.acceptUpgrade()
                try await peer.write(HostileFrame.close(1000) + HostileFrame.frame(0xA, Array("late pong".utf8)))
                await peer.drain()
            },
        ]

    // MARK: - Transport

    static let transportCases: [HostileServerCase] = [
        HostileServerCase(
            name: "a TLS peer that resets mid-handshake", secure: true, failureKind: "tls-failure",
            check: { $0.tls?.failure == nil ? ["no TLS failure reason recorded"] : [] }
        ) { peer in
            try await peer.readBytes(atLeast: 5)  // the ClientHello's record header
            await peer.reset()
        },
        HostileServerCase(
            name: "a TLS peer that answers half a ServerHello and stalls", secure: true, finding: .timeout, failureKind: "tls-timeout"
        ) { peer in
            try await peer.readBytes(atLeast: 5)
            try await peer.write([0x16, 0x03, 0x03, 0x00, 0x7A, 0x02, 0x00])
            await peer.drain()
        },
        HostileServerCase(
            name: "a real TLS server sending a reserved opcode after the 101", secure: true, tlsServer: true,
            finding: .reservedOpcode, failureKind: "protocol-error", sentCloseCode: 1002,
            check: { $0.tls?.verified == true ? [] : ["TLS was not verified against the lab CA"] }
        ) { peer in
            try await peer.acceptUpgrade(trailing: HostileFrame.frame(0x5, [1, 2, 3]))
            await peer.drain()
        },
        HostileServerCase(
            name: "a real TLS server that never answers the upgrade", secure: true, tlsServer: true,
            finding: .timeout, failureKind: "handshake-timeout"
        ) { peer in
            try await peer.readRequest()
            await peer.drain()
        },
        HostileServerCase(
            name: "RST right after the 101", failureKind: "reset",
            check: { $0.close.transportEnd == .reset ? [] : ["transport end \($0.close.transportEnd.rawValue), expected reset"] }
        ) { peer in
            try await peer.acceptUpgrade()
            try await Task.sleep(for: .milliseconds(200))
            await peer.reset()
        },
        HostileServerCase(name: "an unsolicited pong", finding: .unsolicitedPong, failureKind: nil) { peer in
            try await peer.acceptUpgrade()
            try await peer.write(HostileFrame.frame(0xA, [9, 9]))
            await peer.drain()
        },
    ]

    // MARK: - Floods

    static let floodCases: [HostileServerCase] = [
        HostileServerCase(
            name: "10,000 one-byte fragments against a 4 KiB message bound", finding: .oversizedMessage,
            failureKind: "protocol-error", sentCloseCode: 1009, configure: { $0.maxMessageBytes = 4096 }
        ) { peer in
            try await peer.acceptUpgrade()
            var bytes = HostileFrame.frame(0x2, [0], fin: false)
            for _ in 0..<10_000 { bytes += HostileFrame.frame(0x0, [1], fin: false) }
            try await peer.write(bytes)
            await peer.drain()
        },
        // RFC 6455 §5.5.3: a burst of pings may be answered by one pong for the latest; a flood is a finding.
        HostileServerCase(
            name: "a flood of 5,000 pings, then a close", finding: .pingFlood, failureKind: nil, receivedCloseCode: 1000,
            check: { transcript in
                let pongs = transcript.frames.filter { $0.direction == .outbound && $0.opcode == "pong" }.count
                return (1...100).contains(pongs) ? [] : ["\(pongs) pongs for 5,000 pings in a few reads: expected one per read (1…100)"]
            }
        ) { peer in
            try await peer.acceptUpgrade()
            var bytes: [UInt8] = []
            for i in 0..<5000 { bytes += HostileFrame.frame(0x9, [UInt8(i & 0xFF), UInt8(i >> 8)]) }
            try await peer.write(bytes + HostileFrame.close(1000))
            await peer.drain()
        },
    ]
}
