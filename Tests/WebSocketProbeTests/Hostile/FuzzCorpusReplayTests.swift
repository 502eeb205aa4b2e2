import Foundation
import Testing
import WebSocketProbe

/// Replays the committed fuzz corpus (`Fixtures/fuzz-corpus/<target>/`) through the libFuzzer entry points
/// (`FuzzShared/` links to `Fuzz/`), so `make test` catches crash regressions without a sanitizer build.
@Suite("Hostile fuzz corpus replay")
struct FuzzCorpusReplayTests {
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
        let verifier = await TokenVerifier(secret: FuzzTarget.tokenSecret)
        let result = await verifier.verify(token)
        #expect((try? result.get())?.sub == "user-1", "\(result)")
    }

    @Test("The frame seeds reach every violation the parser knows")
    func frameSeedsCoverViolations() throws {
        var codes = Set<String>()
        for file in try Self.inputs(.inboundFrames) {
            let bytes = Array(try Data(contentsOf: file))
            guard let control = bytes.first else { continue }
            var parser = FrameParser(maxFrameBytes: control & 0x80 != 0 ? 16 << 20 : 16 + Int(control & 0x1F) * 16,
                                     allowedRSV: control & 0x20 != 0 ? 0x4 : 0)
            parser.append(bytes.dropFirst())
            while let event = parser.next() {
                if case .violation(let violation) = event { codes.insert(violation.code.rawValue) }
            }
        }
        for expected in ["frame.reserved-opcode", "frame.reserved-bits", "frame.masked-by-server", "frame.control-too-long",
                         "frame.fragmented-control", "frame.oversized"] {
            #expect(codes.contains(expected), "no seed reaches \(expected)")
        }
    }
}
