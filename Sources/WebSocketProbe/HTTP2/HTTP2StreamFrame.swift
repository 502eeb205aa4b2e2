import NIOCore
import NIOHTTP2
import WebSocketDiagnosis

/// One frame read on an HTTP/2 connection as the RFC 8441 machines see it, decoded in one place for both
/// handlers (``HTTP2CheckHandler`` for the `h2` check, ``HTTP2WebSocketStreamHandler`` for `--http2`): the
/// connection's SETTINGS and GOAWAY, and the HEADERS, DATA and RST_STREAM of the extended CONNECT's stream.
enum HTTP2StreamFrame: Sendable, Equatable {
    /// The server's SETTINGS frame (not an ACK), in its order.
    case settings([HTTP2Observation.Setting])
    /// `GOAWAY`: the error code's name and the last stream id the server will process.
    case goAway(code: String, lastStreamID: Int)
    /// HEADERS on the stream: `:status` (when present and numeric) and the other fields.
    case answer(status: Int?, headers: [HeaderField], endStream: Bool)
    /// DATA on the stream: its data; `endStream` when it carries `END_STREAM`.
    case data(ByteBuffer, endStream: Bool)
    /// `RST_STREAM` on the stream: the error code's name.
    case reset(String)

    /// `frame` as the machines see it, `nil` when it is none of theirs (another stream's, a PING, an ACK, …).
    init?(_ frame: HTTP2Frame, stream: HTTP2StreamID) {
        switch frame.payload {
        case .settings(.settings(let settings)) where frame.streamID == .rootStream:
            self = .settings(settings.map(Self.observed))
        case .goAway(let last, let code, _):
            self = .goAway(code: Self.name(of: code), lastStreamID: Int(last))
        case .headers(let headers) where frame.streamID == stream:
            let status = headers.headers.first(name: ":status").flatMap { Int($0) }
            let fields = headers.headers.filter { !$0.name.hasPrefix(":") }.map { HeaderField($0.name, $0.value) }
            self = .answer(status: status, headers: fields, endStream: headers.endStream)
        case .data(let payload) where frame.streamID == stream:
            var buffer = ByteBuffer()
            if case .byteBuffer(let data) = payload.data { buffer = data }
            self = .data(buffer, endStream: payload.endStream)
        case .rstStream(let code) where frame.streamID == stream:
            self = .reset(Self.name(of: code))
        default:
            return nil
        }
    }

    // MARK: - Names

    /// One received setting as observed: its id, its RFC name, its value.
    static func observed(_ setting: HTTP2Setting) -> HTTP2Observation.Setting {
        let id = identifier(of: setting.parameter)
        return HTTP2Observation.Setting(id: id, name: settingName(id), value: setting.value)
    }

    /// The identifier of a settings parameter (NIOHTTP2 keeps it internal; it is a 16-bit number, RFC 9113 §6.5.1).
    /// Read from the parameter's 16 bits and checked by building the parameter back (a scan of all 65,536 ids
    /// per setting let a peer's SETTINGS full of unknown ids stall the event loop); a layout that ever differs
    /// falls back to a table built once.
    static func identifier(of parameter: HTTP2SettingsParameter) -> Int {
        if MemoryLayout<HTTP2SettingsParameter>.size == MemoryLayout<UInt16>.size {
            let raw = Int(unsafeBitCast(parameter, to: UInt16.self))
            if HTTP2SettingsParameter(extensionSetting: raw) == parameter { return raw }
        }
        return identifiers[parameter] ?? -1
    }

    /// Every settings id by its parameter, for ``identifier(of:)``'s fallback.
    private static let identifiers: [HTTP2SettingsParameter: Int] = Dictionary(
        (0...0xFFFF).map { (HTTP2SettingsParameter(extensionSetting: $0), $0) }, uniquingKeysWith: { first, _ in first })

    /// `SETTINGS_MAX_CONCURRENT_STREAMS`, …, `UNKNOWN_0xNN` (RFC 9113 §6.5.2, RFC 8441 §3).
    static func settingName(_ id: Int) -> String {
        let names = [
            1: "SETTINGS_HEADER_TABLE_SIZE", 2: "SETTINGS_ENABLE_PUSH", 3: "SETTINGS_MAX_CONCURRENT_STREAMS",
            4: "SETTINGS_INITIAL_WINDOW_SIZE", 5: "SETTINGS_MAX_FRAME_SIZE", 6: "SETTINGS_MAX_HEADER_LIST_SIZE",
            8: "SETTINGS_ENABLE_CONNECT_PROTOCOL", 9: "SETTINGS_NO_RFC7540_PRIORITIES",
        ]
        return names[id] ?? "UNKNOWN_0x" + String(id, radix: 16, uppercase: true)
    }

    /// `NO_ERROR`, `CANCEL`, `CONNECT_ERROR`, …, `0xNN` (RFC 9113 §7).
    static func name(of code: HTTP2ErrorCode) -> String {
        let names = [
            "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
            "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ]
        let n = code.networkCode
        return n < names.count ? names[n] : "0x" + String(n, radix: 16, uppercase: true)
    }
}
