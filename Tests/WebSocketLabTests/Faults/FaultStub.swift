import NIOCore
import WebSocketWire

@testable import WebSocketLab

/// Drives one proxy fault without a proxy, sockets or a clock (toxiproxy's `ToxicStub`): builds it through the
/// registry (so `direction` and `probability` are handled as in production) with a seeded random source, and
/// offers it heads, frames and bytes with made-up times.
struct FaultStub {
    /// The fault as the proxy would hold it.
    let configured: ConfiguredFault

    /// A time origin for stream stages; outputs are read back as milliseconds after it.
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    /// Builds `text` (`NAME[:k=v,…]`); `seed` makes every random decision repeatable.
    init(_ text: String, seed: UInt64 = 1) throws {
        var registry = FaultRegistry.standard
        registry.random = .seeded(seed)
        let built = try registry.make(parsing: text)
        precondition(built.count == 1, "\(text) builds \(built.count) faults")
        configured = built[0]
    }

    /// The fault, as a capability (`nil` when it does not have it).
    func fault<T>(as _: T.Type) -> T? { configured.fault as? T }

    // MARK: - Handshake

    /// A request head: an upgrade with the usual headers, or a plain GET.
    static func request(upgrade: Bool = true, extra: [(String, String)] = []) -> ProxyRequestHead {
        var headers = HTTPHeaderList()
        if upgrade {
            headers.add("Upgrade", "websocket")
            headers.add("Connection", "Upgrade")
            headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            headers.add("Sec-WebSocket-Version", "13")
        }
        for (name, value) in extra { headers.add(name, value) }
        return ProxyRequestHead(method: "GET", target: "/ws", headers: headers)
    }

    /// Offers `head` to the fault's request hook; returns the action and the head as edited.
    func request(
        _ head: ProxyRequestHead = FaultStub.request(), openWebSockets: Int = 0, upgradeNumber: Int = 1
    ) -> (HandshakeAction, ProxyRequestHead) {
        var head = head
        let context = HandshakeContext(
            isUpgrade: head.isWebSocketUpgrade, openWebSockets: openWebSockets, upgradeRequestNumber: upgradeNumber)
        let action = fault(as: (any HandshakeFault).self)!.request(&head, context: context)
        return (action, head)
    }

    // MARK: - Frames

    /// Offers one frame (`payload` for control frames) in `direction`; returns the verdict and the frame as edited.
    func frame(
        opcode: FrameOpcode, fin: Bool = true, payload: [UInt8]? = nil, direction: FaultDirection = .downstream
    ) -> (FrameVerdict, FrameEdit) {
        let header = FrameHeader(fin: fin, opcode: opcode, payloadLength: UInt64(payload?.count ?? 5))
        var edit = FrameEdit(header: header, controlPayload: header.isControl ? (payload ?? []) : nil)
        let verdict = fault(as: (any FrameFault).self)!.frame(&edit, direction: direction)
        return (verdict, edit)
    }

    // MARK: - Stream

    /// A fresh stage for one connection and direction, drawing from the stub's seeded source.
    func stage() -> StageStub {
        StageStub(stage: fault(as: (any StreamFault).self)!.makeStage(random: configured.random))
    }
}

/// One stream stage fed bytes at times given in milliseconds after ``FaultStub/t0``.
struct StageStub {
    /// What came out: bytes, or the order to close, at a time in ms after `t0`.
    enum Out: Equatable {
        case bytes([UInt8], atMs: Double)
        case close(atMs: Double)
    }

    let stage: any StreamStage

    /// Feeds `bytes` ready `atMs` after `t0`.
    func feed(_ bytes: [UInt8], atMs: Double = 0) -> [Out] {
        stage.process(ByteBuffer(bytes: bytes), ready: Self.deadline(atMs)).map { chunk in
            switch chunk {
            case .bytes(let buffer, let at): .bytes(Array(buffer.readableBytesView), atMs: Self.ms(at))
            case .closeConnection(let at): .close(atMs: Self.ms(at))
            }
        }
    }

    /// When the end of a source that ended `atMs` is passed on, in ms after `t0`.
    func finish(atMs: Double = 0) -> Double { Self.ms(stage.finish(ready: Self.deadline(atMs))) }

    static func deadline(_ ms: Double) -> NIODeadline { FaultStub.t0 + .nanoseconds(Int64(ms * 1e6)) }
    static func ms(_ deadline: NIODeadline) -> Double {
        Double(deadline.uptimeNanoseconds - FaultStub.t0.uptimeNanoseconds) / 1e6
    }
}
