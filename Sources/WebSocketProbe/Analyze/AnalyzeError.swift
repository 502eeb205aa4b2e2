import WebSocketDiagnosis

/// Why a file given to `ws1011 analyze` cannot be read: each case says what is wrong and how to get a
/// file that works.
public struct AnalyzeError: Error, Equatable, CustomStringConvertible {
    /// The problem and the fix, without the file's name (``EvidenceAnalyzer`` adds it).
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }

    /// The file could not be read at all.
    static func unreadable(_ why: String) -> AnalyzeError { AnalyzeError("cannot read it (\(why))") }
    /// The bytes are not JSON.
    static func notJSON(_ why: String) -> AnalyzeError {
        AnalyzeError("it is not JSON (\(why)); give a ws1011 JSON report (--json) or a HAR exported from the browser's Network panel")
    }
    /// JSON, but neither a report nor a HAR.
    static func notHAR(_ why: String) -> AnalyzeError {
        AnalyzeError(
            "it is neither a ws1011 report (\"schema\": \"ws1011.report/1\") nor a HAR (\(why)); export a HAR from the browser's Network panel (Save all as HAR) or write a report with ws1011 diagnose --json"
        )
    }
    /// A report of another schema version.
    static func unsupportedSchema(_ schema: String) -> AnalyzeError {
        AnalyzeError(
            "its schema is \"\(schema)\", this ws1011 reads \"\(DiagnosisReport.schemaID)\"; write the report again with this version")
    }
    /// A report whose fields do not match the schema.
    static func malformedReport(_ why: String) -> AnalyzeError {
        AnalyzeError("it claims ws1011.report/1 but does not match schemas/ws1011.report-1.schema.json (\(why))")
    }
    /// A HAR entry that lacks what every HAR entry has.
    static func malformedEntry(_ index: Int, _ why: String) -> AnalyzeError {
        AnalyzeError("HAR entry \(index) is malformed: \(why)")
    }
    /// A HAR with no WebSocket entry.
    static func noWebSocket(entries: Int) -> AnalyzeError {
        AnalyzeError(
            "the HAR has \(entries) entr\(entries == 1 ? "y" : "ies") and no WebSocket among them; record with the Network panel open before the page connects, then Save all as HAR (Chrome keeps the WebSocket messages)"
        )
    }
}
