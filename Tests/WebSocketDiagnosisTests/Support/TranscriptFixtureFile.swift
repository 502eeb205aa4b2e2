import Foundation
import WebSocketDiagnosis

/// A recorded (or hand-made, realistic) classification input under `Fixtures/transcripts/`, with the
/// verdict it must get.
struct TranscriptFixtureFile: Decodable {
    struct Expected: Decodable {
        var cause: CauseID
        var layer: Layer
        var minimumConfidence: Double
    }

    var description: String
    var expected: Expected
    var transcript: ConnectionTranscript
    var direct: ConnectionTranscript?
    var expectations: ProbeExpectations?
    var measurements: Measurements?

    var input: ClassificationInput {
        ClassificationInput(
            transcript: transcript, direct: direct, measurements: measurements, expectations: expectations ?? ProbeExpectations())
    }

    /// The file names of every fixture (sorted), read from the checked-in folder.
    static var names: [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: FixturePaths.transcripts.path)) ?? []
        return all.filter { $0.hasSuffix(".json") }.sorted()
    }

    static func load(_ name: String) throws -> TranscriptFixtureFile {
        let data = try Data(contentsOf: FixturePaths.transcripts.appendingPathComponent(name))
        return try JSONDecoder().decode(TranscriptFixtureFile.self, from: data)
    }
}
