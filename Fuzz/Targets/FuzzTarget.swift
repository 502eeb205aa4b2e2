import Foundation
import NIOCore
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketScenarios
import WebSocketWire

// The library `WebSocketFuzzTargets`: `ws1011-fuzz` drives it under libFuzzer, and `swift test` replays the
// committed corpus through exactly these entry points (HostileFuzzCorpusReplayTests).

/// One libFuzzer entry point: arbitrary bytes into one of the parsers that see peer or user input.
///
/// Every entry point must return normally for every input. Besides "no trap", each checks invariants that
/// would be false if the parser were wrong (split input parses like whole input, accepted frames respect
/// the bounds, encode → parse round-trips); a broken invariant is a trap via ``FuzzInvariant/fail(_:_:)``.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `UpgradeResponseParser` + `HandshakeValidator` (what a server answers to the upgrade).
    case upgradeResponse = "upgrade-response"
    /// `FrameParser` + `MessageAssembler` + `CloseFrameBody` (every byte a server sends after the 101).
    case inboundFrames = "inbound-frames"
    /// `ScenarioLoader.decode` (a scenario file someone wrote).
    case scenario
    /// `UpgradeCredentials` (token extraction from an upgrade request) + `TokenVerifier` (JWT parsing).
    case token
    /// `AdminRequestPolicy` (Host, Origin, token or content type) + `AdminCommand` (route and body) of the proxy's admin API.
    case adminRequest = "admin-request"
    /// `SecretText.parse` (a token or secret file, `--token-file`) and the redactor it feeds.
    case secretText = "secret-text"
    /// `WebSocketWire`: `FrameHeader.decode` over a stream, `FrameBoundaryTracker`, `ClosePayload.decode`, `MaskingKey`.
    case wireCodec = "wire-codec"
    /// `ProfileLoader.decode` (an application profile file, `--profile FILE`) and the envelope that decodes
    /// what a server sends under it.
    case profile

    /// Runs one input through this entry point.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .upgradeResponse: Self.upgradeResponse(bytes)
        case .inboundFrames: Self.inboundFrames(bytes)
        case .scenario: Self.scenario(bytes)
        case .token: Self.token(bytes)
        case .adminRequest: Self.adminRequest(bytes)
        case .secretText: Self.secretText(bytes)
        case .wireCodec: Self.wireCodec(bytes)
        case .profile: Self.profile(bytes)
        }
    }

    // MARK: - Upgrade response

    /// A fixed request, so that an accept key in the corpus can match.
    public static let upgradeRequest: UpgradeRequest = {
        var configuration = ClientConfiguration(url: (try? WebSocketURL(parsing: "ws://127.0.0.1:9/ws")) ?? fallbackURL)
        configuration.subprotocols = ["jwt-auth", "chat"]
        configuration.offerDeflate = true
        return UpgradeRequest(configuration: configuration, key: "dGhlIHNhbXBsZSBub25jZQ==")
    }()

    private static var fallbackURL: WebSocketURL {
        // Only reached if WebSocketURL stopped parsing a plain loopback URL: that is a bug worth a trap.
        FuzzInvariant.fail("upgrade-response", "WebSocketURL rejects ws://127.0.0.1:9/ws")
    }

    /// Byte 0 picks the head bound and the chunk size; the rest is the response.
    public static func upgradeResponse(_ input: [UInt8]) {
        guard let control = input.first else { return }
        let bytes = Array(input.dropFirst())
        let maxHead = control & 0x80 != 0 ? 64 << 10 : 64 + Int(control & 0x3F) * 8
        let chunk = 1 + Int(control & 0x7)

        var whole = UpgradeResponseParser(maxHeadBytes: maxHead)
        let wholeResult = whole.append(bytes)

        var split = UpgradeResponseParser(maxHeadBytes: maxHead)
        var splitResult = UpgradeResponseParser.Result.needMore
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            splitResult = split.append(bytes[index..<end])
            index = end
            if case .needMore = splitResult { continue }
            break
        }
        // The answer must not depend on how the bytes were cut into reads.
        switch (wholeResult, splitResult) {
        case (.needMore, .needMore), (.malformed, .malformed), (.oversized, .oversized):
            break
        case (.head(let a, _), .head(let b, _)):
            guard a == b else { FuzzInvariant.fail("upgrade-response", "split and whole input parse to different heads") }
        default:
            FuzzInvariant.fail(
                "upgrade-response", "whole input gives \(kind(wholeResult)), split into \(chunk)-byte reads gives \(kind(splitResult))")
        }
        guard case .head(let head, let remainder) = wholeResult else { return }
        guard remainder.count < bytes.count else { FuzzInvariant.fail("upgrade-response", "a head consumed no bytes") }
        let outcome = HandshakeValidator.check(head, request: upgradeRequest)
        guard outcome.accepted == outcome.findings.isEmpty else {
            FuzzInvariant.fail("upgrade-response", "accepted=\(outcome.accepted) with \(outcome.findings.count) findings")
        }
        if outcome.accepted, head.status != 101 { FuzzInvariant.fail("upgrade-response", "accepted a \(head.status)") }
    }

    public static func kind(_ result: UpgradeResponseParser.Result) -> String {
        switch result {
        case .needMore: "needMore"
        case .head: "head"
        case .malformed: "malformed"
        case .oversized: "oversized"
        }
    }

    // MARK: - Inbound frames

    /// Byte 0 picks the frame bound, the message bound, RSV1 and the chunk size; the rest is the stream.
    public static func inboundFrames(_ input: [UInt8]) {
        guard let control = input.first else { return }
        let bytes = Array(input.dropFirst())
        let maxFrame = control & 0x80 != 0 ? 16 << 20 : 16 + Int(control & 0x1F) * 16
        let maxMessage = control & 0x40 != 0 ? 64 << 20 : 32 + Int(control & 0x1F) * 32
        let allowedRSV: UInt8 = control & 0x20 != 0 ? 0x4 : 0
        let chunk = 1 + Int(control & 0x7)

        var whole = FrameParser(maxFrameBytes: maxFrame, allowedRSV: allowedRSV)
        whole.append(bytes)
        var wholeEvents: [FrameParser.Event] = []
        while let event = whole.next() { wholeEvents.append(event) }

        var split = FrameParser(maxFrameBytes: maxFrame, allowedRSV: allowedRSV)
        var splitEvents: [FrameParser.Event] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            split.append(bytes[index..<end])
            while let event = split.next() { splitEvents.append(event) }
            index = end
        }
        guard wholeEvents == splitEvents else {
            FuzzInvariant.fail("inbound-frames", "\(wholeEvents.count) events whole, \(splitEvents.count) split into \(chunk)-byte reads")
        }

        // What the connection does with each event (WebSocketConnection+Inbound, without the socket).
        var assembler = MessageAssembler(maxMessageBytes: maxMessage)
        for event in wholeEvents {
            guard case .frame(let frame) = event else { continue }
            check(frame, maxFrame: maxFrame, allowedRSV: allowedRSV)
            if frame.isControl {
                if frame.opcode == .close { checkClose(frame.payload) }
                continue
            }
            switch assembler.push(frame, compressed: false, inflate: nil) {
            case .fragmentBuffered:
                break
            case .message(.binary(let payload)):
                guard payload.count <= maxMessage else { FuzzInvariant.fail("inbound-frames", "binary message over the bound") }
            case .message(.text(let text)):
                guard text.utf8.count <= maxMessage else { FuzzInvariant.fail("inbound-frames", "text message over the bound") }
            case .violation(let violation):
                guard [1002, 1007, 1009].contains(violation.closeCode) else {
                    FuzzInvariant.fail("inbound-frames", "message violation with close code \(violation.closeCode)")
                }
            }
        }
    }

    private static func check(_ frame: WebSocketFrame, maxFrame: Int, allowedRSV: UInt8) {
        guard frame.payload.count <= maxFrame else { FuzzInvariant.fail("inbound-frames", "accepted a frame over the bound") }
        guard !frame.masked else { FuzzInvariant.fail("inbound-frames", "accepted a masked server frame") }
        guard frame.rsv & ~allowedRSV == 0 else { FuzzInvariant.fail("inbound-frames", "accepted RSV bits \(frame.rsv)") }
        if frame.isControl {
            guard frame.fin, frame.payload.count <= 125, frame.rsv == 0 else {
                FuzzInvariant.fail("inbound-frames", "accepted an invalid control frame")
            }
            guard (0x8...0xA).contains(frame.opcode.rawValue) else {
                FuzzInvariant.fail("inbound-frames", "accepted control opcode \(frame.opcode)")
            }
        } else {
            guard frame.opcode.rawValue <= 0x2 else { FuzzInvariant.fail("inbound-frames", "accepted data opcode \(frame.opcode)") }
        }
        // What we accepted re-encodes to one frame that parses back to itself.
        var again = FrameParser(maxFrameBytes: maxFrame, allowedRSV: allowedRSV)
        again.append(frame.encoded(maskKey: nil))
        guard again.next() == .frame(frame), again.bufferedBytes == 0 else {
            FuzzInvariant.fail("inbound-frames", "an accepted frame does not round-trip through encoded(maskKey:)")
        }
    }

    private static func checkClose(_ payload: [UInt8]) {
        let body = CloseFrameBody.parse(payload)
        if payload.count >= 2, body.code == nil {
            FuzzInvariant.fail("inbound-frames", "close body with \(payload.count) bytes has no code")
        }
        // Our answer (echoing the code, or the violation's code) always fits a control frame.
        let answer = CloseFrameBody.encode(code: body.violation?.closeCode ?? body.code, reason: body.reason)
        guard answer.count <= 125 else { FuzzInvariant.fail("inbound-frames", "close answer of \(answer.count) bytes") }
        if body.violation == nil, let code = body.code, !CloseCode(code).isValidOnWire {
            FuzzInvariant.fail("inbound-frames", "close code \(code) accepted without a violation")
        }
    }

    // MARK: - Scenario files

    /// The whole input is a scenario file.
    public static func scenario(_ input: [UInt8]) {
        do {
            let scenario = try ScenarioLoader.decode(Data(input), path: "fuzz.json")
            guard !scenario.id.isEmpty else { FuzzInvariant.fail("scenario", "accepted a scenario with an empty id") }
        } catch {
            guard !error.message.isEmpty else { FuzzInvariant.fail("scenario", "a load error without a message") }
        }
    }

    // MARK: - Profiles

    /// The bytes as a profile file: accepted → a usable profile whose own envelope decodes the same bytes as a
    /// server message without trapping; refused → an error naming the file, with a message.
    static func profile(_ input: [UInt8]) {
        do {
            let profile = try ProfileLoader.decode(Data(input), path: "fuzz.json")
            guard !profile.name.isEmpty else { FuzzInvariant.fail("profile", "accepted a profile without a name") }
            for step in profile.conversation where !step.expect.anyReply && step.expect.endingEvent == nil {
                FuzzInvariant.fail("profile", "accepted a conversation step that waits for nothing")
            }
            let text = String(decoding: input, as: UTF8.self)
            _ = ProfileMessage.decode(text, envelope: profile.envelope)
            for step in profile.conversation { _ = ProfileMessage.encode(step.send, envelope: profile.envelope, token: text) }
        } catch {
            guard error.path == "fuzz.json", !error.message.isEmpty else {
                FuzzInvariant.fail("profile", "a load error without the file or a message")
            }
        }
        // Whatever the bytes, every envelope decodes them as a server message without trapping.
        let text = String(decoding: input, as: UTF8.self)
        for envelope in [ApplicationProfile.socketIO.envelope, ApplicationProfile.netra.envelope, .raw] {
            _ = ProfileMessage.decode(text, envelope: envelope)
        }
    }

    // MARK: - Tokens

    /// The secret of the verifier the token corpus is signed with.
    public static let tokenSecret = "ws1011-fuzz-signing-secret-0123456789abcdef"

    /// Built once; each input verifies against it (synchronously: no thread waits on the cooperative pool).
    public static let verifier = TokenVerifier(secret: tokenSecret)

    /// Byte 0 picks where the token travels (subprotocol, raw or base64url; Authorization; query); the rest is text.
    public static func token(_ input: [UInt8]) {
        guard let control = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        let headers: [(name: String, value: String)]
        var uri = "/ws"
        switch control % 4 {
        case 0: headers = [("Sec-WebSocket-Protocol", "jwt-auth, jwt.\(text)")]
        case 1: headers = [("Sec-WebSocket-Protocol", "jwt-auth, jwt.\(Data(text.utf8).base64EncodedString())")]
        case 2: headers = [("Authorization", "Bearer \(text)")]
        default:
            headers = []
            uri = "/ws?token=\(text)"
        }
        let credentials = UpgradeCredentials(headers: headers, uri: uri)
        guard let token = credentials.token else { return }
        guard credentials.source != nil else { FuzzInvariant.fail("token", "a token without a source") }
        let verifier = Self.verifier
        let result = verifier.verify(token, expecting: control & 0x4 != 0 ? .refresh : .access)
        if case .failure(let rejection) = result, rejection.code.isEmpty || rejection.message.isEmpty {
            FuzzInvariant.fail("token", "a rejection without a code or message")
        }
    }

    // MARK: - Admin requests

    /// The admin token of the fuzzed policies (when byte 0 asks for one).
    public static let adminToken = "fuzz-admin-token-7f3a"
    /// The machine name of the fuzzed policies.
    public static let adminMachineName = "fuzz-host"

    /// The policy byte 0 picks: bits 0–1 the listen address, bit 2 a token.
    public static func adminPolicy(_ control: UInt8) -> AdminRequestPolicy {
        let hosts = ["127.0.0.1", "0.0.0.0", "::1", "192.0.2.7"]
        return AdminRequestPolicy(
            listenHost: hosts[Int(control & 0x3)], port: 9090, token: control & 0x4 != 0 ? adminToken : nil,
            machineName: adminMachineName)
    }

    /// Byte 0 picks the policy and the read size; the rest is a request (head and body) as a client sends it.
    public static func adminRequest(_ input: [UInt8]) {
        guard let control = input.first else { return }
        let bytes = Array(input.dropFirst())
        let policy = adminPolicy(control)
        let chunk = 1 + Int((control >> 3) & 0x7)

        // The head as the proxy's parser collects it, whole and split: the same head either way.
        var whole = HTTPHeadParser(maxBytes: 4096)
        let wholeOutcome = whole.feed(ByteBuffer(bytes: bytes))
        var split = HTTPHeadParser(maxBytes: 4096)
        var splitOutcome = HTTPHeadParser.Outcome.needMore
        var index = 0
        while index < bytes.count, case .needMore = splitOutcome {
            let end = min(bytes.count, index + chunk)
            splitOutcome = split.feed(ByteBuffer(bytes: bytes[index..<end]))
            index = end
        }
        guard case .complete(let lines, var rest) = wholeOutcome else { return }
        guard case .complete(let splitLines, _) = splitOutcome, splitLines == lines else {
            FuzzInvariant.fail("admin-request", "whole and split (\(chunk)-byte reads) input give different heads")
        }
        let requestLine = (lines.first ?? "").split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard requestLine.count == 3 else { return }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let method = requestLine[0], uri = requestLine[1]
        let body = rest.readBytes(length: rest.readableBytes) ?? []
        let requestText = String(decoding: bytes, as: UTF8.self)

        func values(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
        if let refusal = policy.check(method: method, headers: headers) {
            guard (400..<500).contains(refusal.status), !refusal.message.isEmpty else {
                FuzzInvariant.fail("admin-request", "refusal \(refusal.status) with message '\(refusal.message)'")
            }
            if policy.token != nil, !requestText.contains(adminToken), refusal.message.contains(adminToken) {
                FuzzInvariant.fail("admin-request", "a refusal names the admin token")
            }
            return
        }
        // Allowed: exactly one Host naming this listener on port 9090 (80 when none is given) …
        let hosts = values("Host")
        guard hosts.count == 1 else { FuzzInvariant.fail("admin-request", "allowed with \(hosts.count) Host headers") }
        let host = hosts[0].lowercased()
        guard host.hasSuffix(":9090") else { FuzzInvariant.fail("admin-request", "allowed Host '\(host)' without the admin port") }
        let name = String(host.dropLast(":9090".count)).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let listen = policy.listenHost
        let named: Bool
        if listen.isWildcard {
            named = ListenHost.isIPLiteral(name) || name == "localhost" || name == adminMachineName
        } else if listen.isLoopback {
            named =
                ["127.0.0.1", "localhost", "::1"].contains(name) || ListenHost.addressBytes(name) == ListenHost.addressBytes(listen.host)
        } else {
            named = ListenHost.addressBytes(name) == ListenHost.addressBytes(listen.host)
        }
        guard named else { FuzzInvariant.fail("admin-request", "allowed Host '\(host)' for a listener on \(listen.host)") }
        // … no foreign Origin …
        let origins = values("Origin")
        guard origins.isEmpty || (origins.count == 1 && origins[0].lowercased() == "http://" + host) else {
            FuzzInvariant.fail("admin-request", "allowed a request from Origin \(origins)")
        }
        // … and a change carries the token, or (without one) a JSON content type.
        if AdminRequestPolicy.isChange(method) {
            if let token = policy.token {
                let authorization = values("Authorization")
                guard authorization.count == 1, authorization[0].lowercased().hasPrefix("bearer "),
                    authorization[0].dropFirst(7).trimmingCharacters(in: .whitespaces) == token
                else { FuzzInvariant.fail("admin-request", "allowed a change without the admin token") }
            } else {
                let types = values("Content-Type")
                guard types.count == 1, types[0].lowercased().hasPrefix("application/json") else {
                    FuzzInvariant.fail("admin-request", "allowed a change with content type \(types)")
                }
            }
        }
        switch AdminCommand.parse(method: method, uri: uri, body: body) {
        case .failure(let refusal):
            guard (400..<500).contains(refusal.status), !refusal.message.isEmpty else {
                FuzzInvariant.fail("admin-request", "command refusal \(refusal.status) with message '\(refusal.message)'")
            }
        case .success(let command):
            if AdminRequestPolicy.isChange(method) {
                if command == .listFaults || command == .metrics { FuzzInvariant.fail("admin-request", "\(method) parsed as a read") }
            } else if command != .listFaults && command != .metrics {
                FuzzInvariant.fail("admin-request", "\(method) parsed as a change")
            }
            if case .addFault(let spec) = command, spec.name.isEmpty { FuzzInvariant.fail("admin-request", "a fault without a name") }
        }
    }

    // MARK: - Secret files

    /// A secret file's bytes: either refused with a message that does not quote the secret, or accepted
    /// as one line of printable characters that the redactor then scrubs from any text, in every form.
    public static func secretText(_ input: [UInt8]) {
        let source = "--token-file 'fuzz'"
        let parsed: String
        do {
            parsed = try SecretText.parse(Data(input), source: source)
        } catch {
            // The message names the source and the problem, never the secret: it must not depend on the
            // secret's content. The same input with every visible ASCII character replaced by 'Z' has the
            // same size, encoding and control characters, so it must give the very same message. (Checking
            // "the message does not contain the input" is wrong: libFuzzer learns the message's own words.)
            let masked = input.map { (0x21...0x7E).contains($0) ? UInt8(ascii: "Z") : $0 }
            let other: String
            do {
                _ = try SecretText.parse(Data(masked), source: source)
                FuzzInvariant.fail("secret-text", "a refused secret is accepted once its visible characters change")
            } catch {
                other = error.description
            }
            if other != error.description {
                FuzzInvariant.fail("secret-text", "the error message depends on the refused secret's content")
            }
            return
        }
        if parsed.isEmpty
            || parsed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) })
        {
            FuzzInvariant.fail("secret-text", "an accepted secret is empty or holds a control character")
        }
        guard parsed.count >= 4 else { return }
        let redactor = Redactor().adding(secrets: [parsed])
        for form in [parsed, Redactor.base64url(parsed), Redactor.queryEncoded(parsed), Data(parsed.utf8).base64EncodedString()] {
            if !Redactor.mask.contains(form), redactor.text("echo: " + form + " :end").contains(form) {
                FuzzInvariant.fail("secret-text", "a form of an accepted secret survives the redactor")
            }
        }
    }

    // MARK: - Wire codec

    /// Byte 0 picks the length bound and the chunk size; the rest is a frame stream, also read as a close payload
    /// and as a payload to mask (key: its first four bytes).
    static func wireCodec(_ input: [UInt8]) {
        guard let control = input.first else { return }
        let bytes = Array(input.dropFirst())
        let limit: UInt64 = control & 0x80 != 0 ? FrameHeader.maxPayloadLength : UInt64(control & 0x3F) * 64
        let chunk = 1 + Int(control & 0x7)

        // Headers, one after the other: an accepted header is canonical (it re-encodes to the very bytes read),
        // a refused one says why truthfully, and "need more" means the header really is incomplete.
        var index = 0
        var headers: [FrameHeader] = []
        while index < bytes.count {
            let rest = Array(bytes[index...])
            let size = rest.withUnsafeBytes { FrameHeader.encodedLength(firstBytes: $0) }
            let result = rest.withUnsafeBytes { raw in
                Result { () throws(FrameHeaderError) in try FrameHeader.decode(raw, maxPayloadLength: limit) }
            }
            let header: FrameHeader
            let headerLength: Int
            switch result {
            case .success(nil):
                guard size == nil || rest.count < size! else {
                    FuzzInvariant.fail("wire-codec", "a complete header reported as incomplete")
                }
                index = bytes.count
                continue
            case .success(let decoded?):
                guard decoded.encode() == Array(rest.prefix(decoded.encodedLength)), decoded.encodedLength == size else {
                    FuzzInvariant.fail("wire-codec", "an accepted header does not re-encode to its bytes")
                }
                guard decoded.payloadLength <= limit else { FuzzInvariant.fail("wire-codec", "accepted a length over the bound") }
                header = decoded
                headerLength = decoded.encodedLength
            case .failure(let error):
                guard error.headerLength == size else { FuzzInvariant.fail("wire-codec", "a refusal with the wrong header length") }
                switch error.kind {
                case .lengthHighBitSet:
                    guard error.header.payloadLength > FrameHeader.maxPayloadLength else {
                        FuzzInvariant.fail("wire-codec", "high bit refusal of \(error.header.payloadLength)")
                    }
                case .payloadTooLarge(let bound):
                    guard bound == limit, error.header.payloadLength > limit else {
                        FuzzInvariant.fail("wire-codec", "too-large refusal under the bound")
                    }
                case .nonMinimalLength:
                    guard error.header.encodedLength < error.headerLength else {
                        FuzzInvariant.fail("wire-codec", "non-minimal refusal of a minimal length")
                    }
                }
                header = error.header
                headerLength = error.headerLength
            }
            headers.append(header)
            let available = UInt64(rest.count - headerLength)
            index += headerLength + Int(min(header.payloadLength & FrameHeader.maxPayloadLength, available))
        }

        // The proxy's boundary tracker sees the same frames however the stream is cut into reads.
        func track(_ pieces: [ArraySlice<UInt8>]) -> [FrameBoundaryTracker.Event] {
            var tracker = FrameBoundaryTracker()
            var events: [FrameBoundaryTracker.Event] = []
            for piece in pieces {
                Array(piece).withUnsafeBytes { raw in
                    tracker.consume(raw) { event in
                        if case .payload = event { return }  // ranges differ with the cut; the frames must not
                        events.append(event)
                    }
                }
            }
            return events
        }
        let whole = track([bytes[...]])
        let split = track(stride(from: 0, to: bytes.count, by: chunk).map { bytes[$0..<min($0 + chunk, bytes.count)] })
        let wholeHeaders = whole.compactMap { event -> FrameHeader? in if case .header(let h, _) = event { h } else { nil } }
        let splitHeaders = split.compactMap { event -> FrameHeader? in if case .header(let h, _) = event { h } else { nil } }
        let wholeEnds = whole.filter { if case .frameEnd = $0 { true } else { false } }
        let splitEnds = split.filter { if case .frameEnd = $0 { true } else { false } }
        guard wholeHeaders == splitHeaders, wholeEnds == splitEnds else {
            FuzzInvariant.fail("wire-codec", "the tracker finds other frames in \(chunk)-byte reads")
        }

        // A close payload: accepted ones re-encode to themselves; refusals name the right problem.
        let payload = Array(bytes.prefix(FrameHeader.maxControlPayloadLength))
        do {
            let close = try ClosePayload.decode(payload)
            guard (try? close.encoded()) == payload else {
                FuzzInvariant.fail("wire-codec", "an accepted close payload does not re-encode to itself")
            }
        } catch {
            switch error.kind {
            case .oneByte: guard payload.count == 1 else { FuzzInvariant.fail("wire-codec", "one-byte refusal of \(payload.count) bytes") }
            case .codeNotAllowed:
                guard error.code?.isValidOnWire == false else { FuzzInvariant.fail("wire-codec", "refused an allowed code") }
            case .invalidUTF8:
                guard String(validating: payload.dropFirst(2), as: UTF8.self) == nil else {
                    FuzzInvariant.fail("wire-codec", "refused valid UTF-8")
                }
            }
        }

        // Masking: twice is the identity, and a payload masked in pieces equals one masked whole.
        guard bytes.count >= 4, let key = MaskingKey(bytes.prefix(4)) else { return }
        let once = key.applied(to: bytes)
        guard key.applied(to: once) == bytes else { FuzzInvariant.fail("wire-codec", "masking twice is not the identity") }
        var pieces: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            pieces += key.applied(to: bytes[start..<min(start + chunk, bytes.count)], offset: start)
        }
        guard pieces == once else { FuzzInvariant.fail("wire-codec", "masking in \(chunk)-byte pieces differs from masking whole") }
    }
}
