import Foundation
import Testing
import WebSocketAuth
import WebSocketFuzzTargets
import WebSocketLab
import WebSocketProbe

/// Replays the committed fuzz corpus (`Fixtures/fuzz-corpus/<target>/`) through the libFuzzer entry points
/// (the `WebSocketFuzzTargets` library), so `make test` catches crash regressions without a sanitizer build.
@Suite("Hostile fuzz corpus replay")
struct HostileFuzzCorpusReplayTests {
    static var corpusRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Hostile
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // package root
            .appendingPathComponent("Fixtures/fuzz-corpus")
    }

    static func inputs(_ target: FuzzTarget) throws -> [URL] {
        let folder = corpusRoot.appendingPathComponent(target.rawValue)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("Every committed corpus input runs through its entry point without a trap", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        let files = try Self.inputs(target)
        #expect(files.count >= 5, "the \(target.rawValue) seed corpus is missing or too small")
        for file in files {
            target.run(Array(try Data(contentsOf: file)))
        }
    }

    @Test("The token seeds reach claim checking: a correctly signed seed verifies")
    func validTokenSeedVerifies() async throws {
        let seed = try Data(contentsOf: Self.corpusRoot.appendingPathComponent("token/valid-bearer"))
        let token = String(decoding: seed.dropFirst(), as: UTF8.self)
        let verifier = TokenVerifier(secret: FuzzTarget.tokenSecret)
        let result = verifier.verify(token)
        #expect((try? result.get())?.sub == "user-1", "\(result)")
    }

    @Test("The admin-request seeds reach every refusal of the policy and an allowed change")
    func adminSeedsReachEveryRefusal() throws {
        var statuses = Set<Int>()
        var allowedChange = false
        for file in try Self.inputs(.adminRequest) {
            let bytes = Array(try Data(contentsOf: file))
            guard let control = bytes.first else { continue }
            let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let lines = text[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            let method = String(lines[0].split(separator: " ").first ?? "")
            let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            if let refusal = FuzzTarget.adminPolicy(control).check(method: method, headers: headers) {
                statuses.insert(refusal.status)
            } else if AdminRequestPolicy.isChange(method) {
                allowedChange = true
            }
        }
        #expect(statuses.isSuperset(of: [400, 401, 403, 415]), "\(statuses.sorted())")
        #expect(allowedChange)
    }

    @Test("The frame seeds reach every violation the parser knows")
    func frameSeedsCoverViolations() throws {
        var codes = Set<String>()
        for file in try Self.inputs(.inboundFrames) {
            let bytes = Array(try Data(contentsOf: file))
            guard let control = bytes.first else { continue }
            var parser = FrameParser(
                maxFrameBytes: control & 0x80 != 0 ? 16 << 20 : 16 + Int(control & 0x1F) * 16,
                allowedRSV: control & 0x20 != 0 ? 0x4 : 0)
            parser.append(bytes.dropFirst())
            while let event = parser.next() {
                if case .violation(let violation) = event { codes.insert(violation.code.rawValue) }
            }
        }
        for expected in [
            "frame.reserved-opcode", "frame.reserved-bits", "frame.masked-by-server", "frame.control-too-long",
            "frame.fragmented-control", "frame.oversized",
        ] {
            #expect(codes.contains(expected), "no seed reaches \(expected)")
        }
    }

    /// Regression (found by the upgrade-response invariant): a head of exactly `maxHeadBytes` whose blank line
    /// arrived in a later read was reported oversized; whole, it parsed. Corpus: regression-head-fits-terminator-split.
    @Test("A head that fits its bound parses the same however the reads split it", arguments: 1...8)
    func headAtTheBoundSplitAnyway(_ chunk: Int) {
        let prefix = Array("HTTP/1.1 101 OK\r\nX: ".utf8)
        let head = prefix + [UInt8](repeating: 0x61, count: 63 - prefix.count) + Array("\r\n\r\n".utf8)
        var parser = UpgradeResponseParser(maxHeadBytes: 64)
        var result = UpgradeResponseParser.Result.needMore
        var index = 0
        while index < head.count, case .needMore = result {
            result = parser.append(head[index..<min(head.count, index + chunk)])
            index += chunk
        }
        guard case .head(let parsed, _) = result else {
            Issue.record("chunk \(chunk): \(FuzzTarget.kind(result)) instead of a head")
            return
        }
        #expect(parsed.status == 101)
        #expect(parsed.headers.first?.value == String(repeating: "a", count: 63 - prefix.count))
    }
}
