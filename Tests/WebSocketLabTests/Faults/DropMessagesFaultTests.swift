import Testing
import WebSocketProbe
import WebSocketWire

@testable import WebSocketLab

@Suite("drop-messages fault")
struct DropMessagesFaultTests {
    @Test func messagesVanishButControlFramesPass() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-messages:direction=downstream"])
        let client = try await h.connect()
        await client.send(text: "lost")
        #expect(await client.receive(timeout: .milliseconds(400)) == .timeout)
        #expect(await client.ping(timeout: .seconds(1)) != nil)
        await client.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func dataMessagesAreDroppedAtTheirFirstFrameAndControlFramesPass() throws {
        let stub = try FaultStub("drop-messages")
        #expect(stub.frame(opcode: FrameOpcode.text).0 == .drop)
        #expect(stub.frame(opcode: FrameOpcode.binary, fin: false).0 == .drop)
        // Continuations follow their first frame (the proxy carries that decision), so they are not judged here.
        #expect(stub.frame(opcode: FrameOpcode.continuation).0 == .forward)
        #expect(stub.frame(opcode: FrameOpcode.ping, payload: []).0 == .forward)
    }

    @Test func aProbabilityDropsASeededShareOfMessages() throws {
        // Probability is rolled per message by the wrapper, with the registry's random source.
        let rolls = { (seed: UInt64) throws -> [Bool] in
            let stub = try FaultStub("drop-messages:probability=0.3", seed: seed)
            return (0..<1000).map { _ in stub.configured.roll() }
        }
        let a = try rolls(11)
        let share = Double(a.filter { $0 }.count) / 1000
        #expect(share > 0.25 && share < 0.35, "share \(share)")
        #expect(try rolls(11) == a)
        #expect(try rolls(12) != a)
    }
}
