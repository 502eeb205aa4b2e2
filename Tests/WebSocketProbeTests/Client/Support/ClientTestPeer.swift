import Foundation
import NIOCore
import NIOPosix
import WebSocketProbe
import WebSocketWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server side of one test connection, driven by a test's script.
final class ClientTestPeer {
    struct Closed: Error {}

    let channel: any Channel
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let output: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer: [UInt8] = []
    /// The request head the client sent (after ``readRequest()``).
    private(set) var requestHead = ""

    init(channel: any Channel, input: NIOAsyncChannelInboundStream<ByteBuffer>, output: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.iterator = input.makeAsyncIterator()
        self.output = output
    }

    // MARK: Reading

    private func fill() async throws {
        guard var chunk = try await iterator.next() else { throw Closed() }
        buffer += chunk.readBytes(length: chunk.readableBytes) ?? []
    }

    /// Reads the upgrade request head; returns it (also kept in ``requestHead``).
    @discardableResult
    func readRequest() async throws -> String {
        while true {
            if let range = findHeadEnd() {
                requestHead = String(decoding: buffer[..<range], as: UTF8.self)
                buffer.removeFirst(range + 4)
                return requestHead
            }
            try await fill()
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// A request header's value.
    func header(_ name: String) -> String? {
        for line in requestHead.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Reads the request and answers 101 with a correct accept key, plus `extraHeaders` ("Name: value").
    func acceptUpgrade(extraHeaders: [String] = [], echoFirstSubprotocol: Bool = true) async throws {
        try await readRequest()
        var lines = [
            "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Accept: \(UpgradeRequest.acceptValue(forKey: header("Sec-WebSocket-Key") ?? ""))",
        ]
        if echoFirstSubprotocol, let offered = header("Sec-WebSocket-Protocol"), let first = offered.split(separator: ",").first {
            lines.append("Sec-WebSocket-Protocol: \(first.trimmingCharacters(in: .whitespaces))")
        }
        lines += extraHeaders
        try await write(lines.joined(separator: "\r\n") + "\r\n\r\n")
    }

    /// Reads one client frame (unmasking it); `nil` when the connection ended.
    func readFrame() async throws -> WebSocketFrame? {
        while true {
            if let frame = parseFrame() { return frame }
            do { try await fill() } catch is Closed { return nil }
        }
    }

    /// The next client frame in `buffer`, read with the codec (a header it refuses ends the test peer's reading).
    private func parseFrame() -> WebSocketFrame? {
        guard let header = try? FrameHeader.decode(buffer) else { return nil }
        let offset = header.encodedLength
        let length = Int(header.payloadLength)
        guard buffer.count >= offset + length else { return nil }
        var payload = Array(buffer[offset..<(offset + length)])
        header.maskKey?.apply(to: &payload)
        let frame = WebSocketFrame(fin: header.fin, rsv: header.rsv, opcode: header.opcode, masked: header.isMasked, payload: payload)
        buffer.removeFirst(offset + length)
        return frame
    }

    /// Reads frames until one with `opcode` arrives; `nil` if the connection ends first.
    func readFrame(opcode: FrameOpcode) async throws -> WebSocketFrame? {
        while let frame = try await readFrame() {
            if frame.opcode == opcode { return frame }
        }
        return nil
    }

    /// Waits until the client closes the connection (bounded by the server's script timeout).
    func waitForEOF() async {
        while (try? await fill()) != nil {}
    }

    // MARK: Writing

    func write(_ bytes: [UInt8]) async throws {
        try await output.write(ByteBuffer(bytes: bytes))
    }

    func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// Writes an unmasked server frame.
    func send(_ frame: WebSocketFrame) async throws {
        try await write(frame.encoded(maskKey: nil))
    }

    func sendText(_ text: String) async throws {
        try await send(WebSocketFrame(opcode: .text, payload: Array(text.utf8)))
    }

    func sendClose(code: Int?, reason: String = "") async throws {
        try await send(WebSocketFrame(opcode: .close, payload: CloseFrameBody.encode(code: code, reason: reason)))
    }

    /// Echoes text/binary, answers pings, echoes a close and ends the connection.
    func echoLoop() async throws {
        while let frame = try await readFrame() {
            switch frame.opcode {
            case .text, .binary:
                try await send(WebSocketFrame(opcode: frame.opcode, payload: frame.payload))
            case .ping:
                try await send(WebSocketFrame(opcode: .pong, payload: frame.payload))
            case .close:
                try await send(WebSocketFrame(opcode: .close, payload: frame.payload))
                return
            default:
                break
            }
        }
    }

    /// Ends with a TCP reset (SO_LINGER 0).
    func reset() async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }
}
