import Testing
import WebSocketWire

@Suite("WebSocketWire masking")
struct MaskingKeyTests {
    let rfcKey = MaskingKey(0x37, 0xFA, 0x21, 0x3D)

    @Test func helloMasksToTheBytesOfRFC6455() {
        // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
        #expect(rfcKey.applied(to: Array("Hello".utf8)) == [0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(rfcKey.applied(to: [0x7F, 0x9F, 0x4D, 0x51, 0x58] as [UInt8]) == Array("Hello".utf8))
    }

    @Test(arguments: [0, 1, 7, 8, 9, 63, 64, 1000])
    func theWordAtATimeRoutineAgreesWithTheRFCsDefinition(count: Int) {
        let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let key = MaskingKey(0xDE, 0xAD, 0xBE, 0xEF)
        // §5.3: octet i of the transformed data is octet i of the original XOR octet (i MOD 4) of the key.
        let expected = payload.enumerated().map { $0.element ^ key.bytes[$0.offset % 4] }
        #expect(key.applied(to: payload) == expected)
        for offset in 0..<4 {
            let shifted = payload.enumerated().map { $0.element ^ key.bytes[($0.offset + offset) % 4] }
            #expect(key.applied(to: payload, offset: offset) == shifted, "offset \(offset)")
        }
    }

    @Test func aPayloadMaskedInPiecesEqualsOneMaskedWhole() {
        let payload = (0..<301).map { UInt8(truncatingIfNeeded: $0) }
        let whole = rfcKey.applied(to: payload)
        var pieces: [UInt8] = []
        var start = 0
        for size in [1, 3, 8, 13, 100, 176] {
            pieces += rfcKey.applied(to: payload[start..<(start + size)], offset: start)
            start += size
        }
        #expect(start == payload.count)
        #expect(pieces == whole)
    }

    @Test func maskingTwiceGivesThePayloadBack() {
        var bytes = Array("a longer payload, over sixteen bytes".utf8)
        let original = bytes
        rfcKey.apply(to: &bytes)
        #expect(bytes != original)
        rfcKey.apply(to: &bytes)
        #expect(bytes == original)
    }

    @Test func aKeyIsMadeOfExactlyFourBytes() {
        #expect(MaskingKey([1, 2, 3, 4] as [UInt8]) == MaskingKey(1, 2, 3, 4))
        #expect(MaskingKey([1, 2, 3] as [UInt8]) == nil)
        #expect(MaskingKey([1, 2, 3, 4, 5] as [UInt8]) == nil)
        #expect(MaskingKey(1, 2, 3, 4).bytes == [1, 2, 3, 4])
    }

    @Test func randomKeysComeFromTheGeneratorGiven() {
        var a = SplitMix(seed: 42)
        var b = SplitMix(seed: 42)
        #expect(MaskingKey.random(using: &a) == MaskingKey.random(using: &b))
        #expect(Set((0..<64).map { _ in MaskingKey.random() }).count > 1)
    }

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
