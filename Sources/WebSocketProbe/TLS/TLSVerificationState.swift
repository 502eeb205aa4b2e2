import WebSocketDiagnosis

/// What the verification callback saw and decided, shared with the connection.
struct TLSVerificationState: Sendable, Equatable {
    /// The callback ran (the server sent a certificate).
    var callbackRan = false
    /// The chain passed verification.
    var verified = false
    var failure: TLSFailureReason?
    var detail: String?
    /// The chain the server sent, leaf first.
    var chain: [CertificateSummary] = []
}
