import Foundation
import Testing
import WebSocketWire

@testable import WebSocketDiagnosis

/// A fleet connection's end as a typed value: rules read its close code, the report keeps the words.
@Suite("Fleet end signature")
struct FleetEndSignatureTests {
    @Test func theCloseCodeIsReadFromACloseSignatureOnly() {
        #expect(FleetEndSignature.close(1001).closeCode == .goingAway)
        #expect(FleetEndSignature.close(4000).closeCode == CloseCode(4000))
        #expect(FleetEndSignature.closeWithoutStatus.closeCode == nil)
        #expect(FleetEndSignature.bareEnd.closeCode == nil)
        #expect(FleetEndSignature.http(503).closeCode == nil)
        // Words that only look like a close are not one.
        #expect(FleetEndSignature(rawValue: "close enough").closeCode == nil)
        #expect(FleetEndSignature.noAnswer("tcp close 1001").closeCode == nil)
    }

    @Test func closeFramesWithAndWithoutStatusAreCloseFrames() {
        #expect(FleetEndSignature.close(1000).isCloseFrame)
        #expect(FleetEndSignature.closeWithoutStatus.isCloseFrame)
        #expect(!FleetEndSignature.bareEnd.isCloseFrame)
        #expect(!FleetEndSignature.http(502).isCloseFrame)
    }

    @Test func itIsEncodedAsItsWordsAsBefore() throws {
        let data = try JSONEncoder().encode([FleetEndSignature.close(1012), .bareEnd, .http(502)])
        #expect(String(decoding: data, as: UTF8.self) == #"["close 1012","bare end","HTTP 502"]"#)
        #expect(try JSONDecoder().decode([FleetEndSignature].self, from: data) == [.close(1012), .bareEnd, .http(502)])
    }

    @Test func aConnectionsSignatureNamesHowItEnded() {
        var c = FleetConnection(index: 0, outcome: .ended, startedAtMs: 0)
        c.closeReceived = true
        c.closeCode = 1001
        #expect(c.signature == .close(1001))
        c.closeCode = nil
        #expect(c.signature == .closeWithoutStatus)
        c.closeReceived = false
        #expect(c.signature == .bareEnd)
    }
}
