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
            let value = redactor.header(name: field.name, value: field.value).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            return value.count > maximumInstanceLength ? String(value.prefix(maximumInstanceLength - 1)) + "…" : value
        }
        return nil
    }
}
