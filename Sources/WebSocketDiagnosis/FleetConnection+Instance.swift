import Foundation

extension FleetConnection {
    /// Response headers in which fronts and backends commonly name the instance that served a request, in the
    /// order they are looked for:
    /// - `X-Served-By`: set by Fastly on every response (the delivering cache node), and by nginx/OpenResty
    ///   setups as `$upstream_addr`; the lab's fault proxy sets it to `instance-N`;
    /// - `X-Backend-Server`: the usual nginx (`add_header X-Backend-Server $upstream_addr;`) and HAProxy
    ///   (`http-response set-header X-Backend-Server %s`) idiom for the upstream server.
    ///
    /// A front that names its instances otherwise is read with the user's own header (`--instance-header NAME`,
    /// the exporter module's `instanceHeader`), which is looked for first.
    public static let instanceHeaders = ["X-Served-By", "X-Backend-Server"]

    /// The longest instance name kept; a longer value is cut (with `…`).
    public static let maximumInstanceLength = 64

    /// The instance an answer's headers name: the value of `custom` when given and present, else of the first
    /// of ``instanceHeaders`` present; scrubbed by `redactor` (as that header's value) and cut to
    /// ``maximumInstanceLength``. `nil` when none is present or the value is empty.
    public static func instance(in headers: [HeaderField], custom: String? = nil, redactor: Redactor) -> String? {
        for name in [custom].compactMap({ $0 }) + instanceHeaders {
            guard let field = headers.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else { continue }
            // A list (nginx's `$upstream_addr` after a retry: `10.0.0.1:80, 10.0.0.2:80`) names the last one tried,
            // the one that answered.
            let scrubbed = redactor.header(name: field.name, value: field.value)
            let value = (scrubbed.split(separator: ",").last.map(String.init) ?? scrubbed).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            guard value.count > maximumInstanceLength else { return value }
            // Cut, with a short checksum of the whole value so two long names sharing a prefix stay two instances.
            let sum = value.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
            let hex = String(sum & 0xFFFF, radix: 16)
            let tag = String(repeating: "0", count: 4 - hex.count) + hex
            return String(value.prefix(maximumInstanceLength - 1 - tag.count)) + "…" + tag
        }
        return nil
    }
}
