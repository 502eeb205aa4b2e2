import Testing
import WebSocketWire

@Suite("WebSocketWire frame headers: encode, decode, refusals")
struct FrameHeaderTests {
    /// RFC 6455 §5.7's examples, as header bytes and the header they hold.
    static let rfcExamples: [(bytes: [UInt8], header: FrameHeader)] = [
        // A single-frame unmasked text message ("Hello").
        ([0x81, 0x05], FrameHeader(opcode: .text, payloadLength: 5)),
        // A single-frame masked text message ("Hello").
        ([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D], FrameHeader(opcode: .text, maskKey: MaskingKey(0x37, 0xFA, 0x21, 0x3D), payloadLength: 5)),
        // A fragmented unmasked text message: "Hel", then "lo".
        ([0x01, 0x03], FrameHeader(fin: false, opcode: .text, payloadLength: 3)),
        ([0x80, 0x02], FrameHeader(opcode: .continuation, payloadLength: 2)),
        // Unmasked ping, masked pong.
        ([0x89, 0x05], FrameHeader(opcode: .ping, payloadLength: 5)),
        ([0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D], FrameHeader(opcode: .pong, maskKey: MaskingKey(0x37, 0xFA, 0x21, 0x3D), payloadLength: 5)),
        // 256 bytes and 64 KiB of binary data in one unmasked frame.
        ([0x82, 0x7E, 0x01, 0x00], FrameHeader(opcode: .binary, payloadLength: 256)),
        ([0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0], FrameHeader(opcode: .binary, payloadLength: 65536)),
    ]

    @Test func theRFCExamplesEncodeAndDecodeToEachOther() throws {
        for (bytes, header) in Self.rfcExamples {
            #expect(header.encode() == bytes)
            #expect(header.encodedLength == bytes.count)
            #expect(try FrameHeader.decode(bytes) == header)
        }
    }

    @Test(arguments: [0, 1, 125, 126, 127, 0xFFFF, 0x1_0000, 0xFFFF_FFFF, FrameHeader.maxPayloadLength] as [UInt64])
    func everyLengthFormRoundTrips(length: UInt64) throws {
        for key in [nil, MaskingKey(1, 2, 3, 4)] {
            for (fin, rsv, opcode) in [(true, 0, FrameOpcode.binary), (false, 4, .text), (true, 7, 0xB)] as [(Bool, UInt8, FrameOpcode)] {
                let header = FrameHeader(fin: fin, rsv: rsv, opcode: opcode, maskKey: key, payloadLength: length)
                let bytes = header.encode()
                #expect(bytes.count == header.encodedLength)
                #expect(try FrameHeader.decode(bytes) == header)
                // Bytes after the header (the payload) are not read.
                #expect(try FrameHeader.decode(bytes + [0xFF, 0xFF]) == header)
            }
        }
    }

    @Test func aHeaderCutShortAsksForMoreBytes() throws {
        let bytes = FrameHeader(opcode: .binary, maskKey: MaskingKey(9, 8, 7, 6), payloadLength: 70_000).encode()
        #expect(bytes.count == 14)
        for n in 0..<bytes.count {
            #expect(try FrameHeader.decode(Array(bytes[0..<n])) == nil, "a \(n)-byte prefix")
        }
    }

    @Test func aSixtyFourBitLengthWithItsTopBitSetIsRefused() {
        let bytes: [UInt8] = [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1]
        #expect(
            throws: FrameHeaderError(.lengthHighBitSet, header: FrameHeader(opcode: .binary, payloadLength: 1 << 63 | 1), headerLength: 10)
        ) {
            try FrameHeader.decode(bytes)
        }
    }

    @Test func aLengthAboveTheReadersBoundIsRefusedWithTheHeader() {
        let bytes = FrameHeader(opcode: .text, maskKey: MaskingKey(1, 1, 1, 1), payloadLength: 1025).encode()
        #expect(
            throws: FrameHeaderError(
                .payloadTooLarge(limit: 1024), header: FrameHeader(opcode: .text, maskKey: MaskingKey(1, 1, 1, 1), payloadLength: 1025),
                headerLength: 8)
        ) {
            try FrameHeader.decode(bytes, maxPayloadLength: 1024)
        }
        #expect((try? FrameHeader.decode(bytes, maxPayloadLength: 1025)) != nil)
    }

    @Test func lengthsNotInTheirShortestFormAreRefused() {
        // §5.2: "the minimal number of bytes MUST be used to encode the length".
        let cases: [(bytes: [UInt8], length: UInt64)] = [
            ([0x81, 0x7E, 0x00, 0x05], 5),  // 5 in the 16-bit form
            ([0x81, 0x7E, 0x00, 0x7D], 125),  // 125 in the 16-bit form
            ([0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0x00, 0x7E], 126),  // 126 in the 64-bit form
            ([0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], 0xFFFF),  // 64 KiB - 1 in the 64-bit form
        ]
        for (bytes, length) in cases {
            #expect(throws: FrameHeaderError.self) { try FrameHeader.decode(bytes) }
            do {
                _ = try FrameHeader.decode(bytes)
            } catch {
                #expect(error.kind == .nonMinimalLength)
                #expect(error.header.payloadLength == length)
                #expect(error.headerLength == bytes.count)
            }
        }
        // The shortest forms of the same boundaries are accepted.
        #expect((try? FrameHeader.decode([0x81, 0x7E, 0x00, 0x7E])) != nil)
        #expect((try? FrameHeader.decode([0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0x00, 0x00])) != nil)
    }

    @Test func theEncoderNeverWritesANonMinimalLength() throws {
        for length: UInt64 in [125, 126, 0xFFFF, 0x1_0000] {
            let bytes = FrameHeader(opcode: .binary, payloadLength: length).encode()
            #expect(try FrameHeader.decode(bytes)?.payloadLength == length)
        }
    }

    @Test func aWholeFrameIsTheHeaderThenThePayloadMaskedWithItsKey() {
        // RFC 6455 §5.7: a single-frame masked text message ("Hello").
        let frame = FrameHeader(opcode: .text, maskKey: MaskingKey(0x37, 0xFA, 0x21, 0x3D), payloadLength: 0).frame(
            payload: Array("Hello".utf8))
        #expect(frame == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(
            FrameHeader(opcode: .text, payloadLength: 0).frame(payload: Array("Hello".utf8)) == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }

    // MARK: - Protocol rules

    @Test func eachRuleOfTheRFCIsNamed() {
        let key = MaskingKey(1, 2, 3, 4)
        let cases: [(FrameHeader, FrameHeader.Endpoint, UInt8, FrameHeaderViolation?)] = [
            (FrameHeader(opcode: .text, payloadLength: 3), .server, 0, nil),
            (FrameHeader(opcode: .text, maskKey: key, payloadLength: 3), .client, 0, nil),
            (FrameHeader(opcode: 0x3, payloadLength: 0), .server, 0, .reservedOpcode),
            (FrameHeader(opcode: 0xF, payloadLength: 0), .server, 0, .reservedOpcode),
            (FrameHeader(rsv: 4, opcode: .text, payloadLength: 1), .server, 0, .reservedBits),
            (FrameHeader(rsv: 4, opcode: .text, payloadLength: 1), .server, 4, nil),
            (FrameHeader(rsv: 2, opcode: .text, payloadLength: 1), .server, 4, .reservedBits),
            (FrameHeader(rsv: 4, opcode: .ping, payloadLength: 1), .server, 4, .reservedBits),
            (FrameHeader(opcode: .text, maskKey: key, payloadLength: 1), .server, 0, .maskedServerFrame),
            (FrameHeader(opcode: .text, payloadLength: 1), .client, 0, .unmaskedClientFrame),
            (FrameHeader(opcode: .ping, payloadLength: 126), .server, 0, .oversizedControlFrame),
            (FrameHeader(opcode: .close, payloadLength: 125), .server, 0, nil),
            (FrameHeader(fin: false, opcode: .pong, payloadLength: 0), .server, 0, .fragmentedControlFrame),
            (FrameHeader(fin: false, opcode: .text, payloadLength: 0), .server, 0, nil),
        ]
        for (header, sender, allowed, expected) in cases {
            #expect(header.violation(sentBy: sender, allowedRSV: allowed) == expected, "\(header) from the \(sender)")
        }
    }
}
