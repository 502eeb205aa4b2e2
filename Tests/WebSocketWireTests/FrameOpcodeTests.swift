import Testing
import WebSocketWire

@Suite("WebSocketWire opcodes")
struct FrameOpcodeTests {
    @Test func everyOpcodeHasOneNameAndReservedOnesSayWhichValue() {
        let names = (0..<16).map { FrameOpcode(rawValue: UInt8($0)).name }
        #expect(
            names == [
                "continuation", "text", "binary", "reserved-0x3", "reserved-0x4", "reserved-0x5", "reserved-0x6", "reserved-0x7",
                "close", "ping", "pong", "reserved-0xB", "reserved-0xC", "reserved-0xD", "reserved-0xE", "reserved-0xF",
            ])
    }

    @Test func controlAndReservedFollowTheHighBitAndTheRFCsTable() {
        #expect((0..<16).filter { FrameOpcode(rawValue: UInt8($0)).isControl } == Array(8..<16))
        #expect((0..<16).filter { FrameOpcode(rawValue: UInt8($0)).isReserved } == [3, 4, 5, 6, 7, 11, 12, 13, 14, 15])
        #expect(FrameOpcode.text.isData && !FrameOpcode.text.isControl)
    }

    @Test func anOpcodeKeepsOnlyItsFourBits() {
        #expect(FrameOpcode(rawValue: 0x81) == .text)
        #expect((0x19 as FrameOpcode) == .ping)
    }
}
