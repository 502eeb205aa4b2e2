import Foundation
import SwiftASN1
import WebSocketDiagnosis
import X509

/// Verifies the chain a server sent with swift-certificates' `Verifier`, and when it fails, says precisely why.
enum TLSChainVerifier {
    /// Verifies `presented` (DER, leaf first) for `serverName` against `roots`, now.
    ///
    /// - Parameter insecure: record the chain but accept anything.
    static func verify(presented: [[UInt8]], serverName: String, roots: CertificateStore, insecure: Bool) async
        -> TLSVerificationState
    {
        let now = Date()
        var state = TLSVerificationState(callbackRan: true)
        var certificates: [Certificate] = []
        for der in presented {
            guard let certificate = try? Certificate(derEncoded: der) else {
                state.failure = .handshakeFailure
                state.detail = "the server sent a certificate that cannot be parsed"
                return state
            }
            certificates.append(certificate)
        }
        state.chain = certificates.map(CertificateSummary.init(certificate:))
        if insecure { return state }
        guard let leaf = certificates.first else {
            state.failure = .handshakeFailure
            state.detail = "the server sent no certificate"
            return state
        }
        let intermediates = CertificateStore(certificates.dropFirst())
        let isIP = serverName.contains(":") || serverName.allSatisfy { $0.isNumber || $0 == "." }
        var full = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: isIP ? nil : serverName, serverIP: isIP ? serverName : nil)
        }
        if case .validCertificate = await full.validate(leaf: leaf, intermediates: intermediates) {
            state.verified = true
            return state
        }
        // Why? Validity first: it is the most specific and the commonest.
        for (index, c) in certificates.enumerated() {
            let which = index == 0 ? "the leaf certificate" : "certificate #\(index + 1) ('\(c.subject)')"
            if c.notValidAfter < now {
                state.failure = .expired
                state.detail = "\(which) expired at \(iso(c.notValidAfter))"
                return state
            }
            if c.notValidBefore > now {
                state.failure = .notYetValid
                state.detail = "\(which) is not valid before \(iso(c.notValidBefore))"
                return state
            }
        }
        var chainOnly = Verifier(rootCertificates: roots) { RFC5280Policy() }
        if case .validCertificate = await chainOnly.validate(leaf: leaf, intermediates: intermediates) {
            let names = CertificateSummary(certificate: leaf).subjectAlternativeNames
            state.failure = .hostnameMismatch
            state.detail =
                "the certificate is for \(names.isEmpty ? "no subject alternative name" : names.joined(separator: ", ")), not '\(serverName)'"
            return state
        }
        if leaf.subject == leaf.issuer {
            state.failure = .selfSigned
            state.detail = "the server sent a self-signed certificate ('\(leaf.subject)') that is not trusted"
            return state
        }
        // Follow the issuer links through what the server sent.
        var top = leaf
        var seen = 0
        while top.subject != top.issuer, seen < certificates.count,
            let parent = certificates.first(where: { $0.subject == top.issuer && $0 != top })
        {
            top = parent
            seen += 1
        }
        if top.subject == top.issuer {
            state.failure = .unknownIssuer
            state.detail = "the chain ends at '\(top.subject)', a root that is not trusted"
        } else if top == leaf {
            state.failure = .missingIntermediate
            state.detail =
                "the server sent only its leaf; its issuer '\(leaf.issuer)' was neither sent nor trusted (a missing intermediate, or an unknown issuer)"
        } else {
            state.failure = .unknownIssuer
            state.detail = "the chain ends at '\(top.subject)', issued by '\(top.issuer)', which is not trusted"
        }
        return state
    }

    private static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
