import Foundation
import WebSocketDiagnosis

/// Renders a ``DiagnosisReport`` as the `ws1011.report/1` JSON contract: sorted keys, ISO-8601
/// dates, pretty-printed, secrets redacted, numbers rounded to what they mean. The contract is checked
/// in as a JSON Schema: `schemas/ws1011.report-1.schema.json`.
public enum JSONReportRenderer {
    /// The JSON text of `report`, with every known secret and JWT-shaped string masked by `redactor`
    /// (default: JWT-shaped strings only), the verdict's next steps in `wording`'s words in its summary
    /// (default: the CLI's flags). Milliseconds are written to 0.1 ms, the confidence to 0.01.
    public static func render(_ report: DiagnosisReport, redactor: Redactor = Redactor(), wording: any AdviceWording = CLIAdviceWording())
        throws -> String
    {
        // String values are scrubbed field by field, never the serialised document: a secret that happens
        // to read like a number, `true` or a key must not turn the report into invalid JSON.
        try encodeRounded(report.worded(by: wording).redacted(by: redactor)) + "\n"
    }

    /// Any document of the ws1011 contracts (`ws1011.report/1`, `ws1011.reproduce/1`) as JSON text with the
    /// contract's encoder and its numbers rounded to what they mean (see ``roundingStep(_:)``); not redacted.
    public static func encodeRounded(_ value: some Encodable) throws -> String {
        let encoder = makeEncoder()
        let tree = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(value))
        return String(decoding: try encoder.encode(tree.rounded(roundingStep)), as: UTF8.self)
    }

    /// What a number under `key` means, as the step it is rounded to: milliseconds (`…Ms`) to 0.1 ms
    /// (the clock's useful precision on a loaded machine), the confidence to 0.01 (the text report's percent).
    static func roundingStep(_ key: String) -> Double? {
        if key.hasSuffix("Ms") { return 0.1 }
        if key == "confidence" { return 0.01 }
        return nil
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
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// The matching decoder.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}
