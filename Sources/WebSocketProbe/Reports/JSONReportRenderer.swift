import Foundation
import WebSocketDiagnosis

/// Renders a ``DiagnosisReport`` as the `ws1011.report/1` JSON contract: sorted keys, ISO-8601
/// dates, pretty-printed, secrets redacted.
public enum JSONReportRenderer {
    /// The JSON text of `report`, with every known secret and JWT-shaped string masked by `redactor`
    /// (default: JWT-shaped strings only).
    public static func render(_ report: DiagnosisReport, redactor: Redactor = Redactor()) throws -> String {
        // String values are scrubbed field by field, never the serialised document: a secret that happens
        // to read like a number, `true` or a key must not turn the report into invalid JSON.
        let data = try makeEncoder().encode(report.redacted(by: redactor))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Decodes a report written by ``render(_:redactor:)``.
    public static func decode(_ data: Data) throws -> DiagnosisReport {
        try makeDecoder().decode(DiagnosisReport.self, from: data)
    }

    /// The encoder of the contract.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// The matching decoder.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}
