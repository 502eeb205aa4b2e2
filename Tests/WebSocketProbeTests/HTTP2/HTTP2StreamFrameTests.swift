import NIOHTTP2
import Testing

@testable import WebSocketProbe

/// Settings as observed: their ids and names, at once whatever id a peer sends.
@Suite("HTTP/2 frame names")
struct HTTP2StreamFrameTests {
    @Test func everySettingsIdIsReadBackAsItself() {
        #expect(HTTP2StreamFrame.identifier(of: .enableConnectProtocol) == 8)
        #expect(HTTP2StreamFrame.identifier(of: .maxConcurrentStreams) == 3)
        for id in [0, 1, 9, 0xFF, 0x100, 0xABCD, 0xFFFF] {
            #expect(HTTP2StreamFrame.identifier(of: HTTP2SettingsParameter(extensionSetting: id)) == id)
        }
        #expect(
            HTTP2StreamFrame.observed(HTTP2Setting(parameter: .enableConnectProtocol, value: 1)).name == "SETTINGS_ENABLE_CONNECT_PROTOCOL")
        #expect(
            HTTP2StreamFrame.observed(HTTP2Setting(parameter: HTTP2SettingsParameter(extensionSetting: 0xFFFE), value: 1)).name
                == "UNKNOWN_0xFFFE")
    }
}
