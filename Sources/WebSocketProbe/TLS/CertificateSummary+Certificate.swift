import Foundation
import SwiftASN1
import WebSocketDiagnosis
import X509

extension CertificateSummary {
    /// A summary of `certificate`: subject, issuer, validity, SANs, CA flag.
    init(certificate: Certificate) {
        var names: [String] = []
        if let sans = try? certificate.extensions.subjectAlternativeNames {
            for name in sans {
                switch name {
                case .dnsName(let dns): names.append(dns)
                case .ipAddress(let octets): names.append(Self.ipText(octets.bytes))
                default: names.append(String(describing: name))
                }
            }
        }
        var isCA = false
        if let constraints = try? certificate.extensions.basicConstraints, case .isCertificateAuthority = constraints {
            isCA = true
        }
        self.init(
            subject: String(describing: certificate.subject), issuer: String(describing: certificate.issuer),
            notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter,
            subjectAlternativeNames: names, isCA: isCA)
    }

    private static func ipText(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes.count == 16 {
            let a = Array(bytes)
            let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(a[$0]) << 8 | UInt16(a[$0 + 1]), radix: 16) }
            // Compress the longest run of zero groups (RFC 5952).
            var best = (start: -1, count: 0)
            var i = 0
            while i < 8 {
                if groups[i] == "0" {
                    var j = i
                    while j < 8 && groups[j] == "0" { j += 1 }
                    if j - i > best.count && j - i > 1 { best = (i, j - i) }
                    i = j
                } else {
                    i += 1
                }
            }
            if best.start < 0 { return groups.joined(separator: ":") }
            let head = groups[..<best.start].joined(separator: ":")
            let tail = groups[(best.start + best.count)...].joined(separator: ":")
            return head + "::" + tail
        }
        return bytes.map { String($0, radix: 16) }.joined()
    }
}
