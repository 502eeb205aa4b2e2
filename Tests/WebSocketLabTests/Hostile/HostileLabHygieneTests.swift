import Foundation
import Testing
import WS1011TestSupport
import WebSocketLab
import WebSocketProbe

/// Resource hygiene: after many WebSocket connections to the lab come and go, this process (client and server
/// both run in it) holds no more descriptors than before. Exact for sockets on the lab's port (the listener only,
/// before and after); the process-wide count is checked within a margin only when no other test runs (it moves
/// with the tests running in parallel in the same process).
@Suite("Hostile resource hygiene of the lab", .serialized)
struct HostileLabHygieneTests {
    /// Process-wide descriptors that may appear for reasons other than a leak, when run alone
    /// (`WS1011_HYGIENE_STRICT=1`, e.g. `swift test --filter HostileLabHygiene`).
    static let margin = 8

    @Test(
        "After N lab connections come and go (2,000; WS1011_HYGIENE_CONNECTIONS for more) no descriptor leaks",
        .enabled(if: SocketCensus.sockets(onPort: 1) != nil, "needs /proc/self/fd and /proc/net/tcp"))
    func labDescriptors() async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let configuration = try HostileLab.goodClient(lab, token: token)
        // Warm up, so that lazily created loops and sockets are in the baseline.
        for _ in 0..<8 { try await Self.oneConnection(configuration) }
        let before = try #require(SocketCensus.descriptors())
        let socketsBefore = try #require(SocketCensus.sockets(onPort: lab.port))
        #expect(socketsBefore == 1, "only the listener should be on the lab's port")

        let total = HostileLab.count("WS1011_HYGIENE_CONNECTIONS", default: 2_000)
        let parallel = 16
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            var started = 0
            var failures = 0
            while started < min(parallel, total) {
                group.addTask { (try? await Self.oneConnection(configuration)) == nil ? 1 : 0 }
                started += 1
            }
            while let failed = try await group.next() {
                failures += failed
                if started < total {
                    group.addTask { (try? await Self.oneConnection(configuration)) == nil ? 1 : 0 }
                    started += 1
                }
            }
            return failures
        }
        #expect(failures == 0, "\(failures) of \(total) connections did not open")
        let socketsAfter = await SocketCensus.settle(port: lab.port, atMost: socketsBefore, within: .seconds(3))
        let after = SocketCensus.descriptors() ?? -1
        #expect(
            socketsAfter == socketsBefore,
            "sockets on the lab's port: \(socketsBefore) before, \(socketsAfter ?? -1) after \(total) connections (process: \(before) → \(after))"
        )
        if ProcessInfo.processInfo.environment["WS1011_HYGIENE_STRICT"] == "1" {
            #expect(after <= before + Self.margin, "descriptors: \(before) before, \(after) after \(total) connections")
        }
        #expect(lab.openConnectionCount == 0)
        await lab.shutdown()
    }

    /// One full connection: open, `connection_established`, close handshake.
    static func oneConnection(_ configuration: ClientConfiguration) async throws {
        let connection = await WebSocketConnection.connect(configuration)
        guard await connection.isOpen else { throw HostileLabError("did not open") }
        guard case .text = await connection.receive(timeout: .seconds(10)) else { throw HostileLabError("no connection_established") }
        await connection.close()
    }
}
