import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Explicit, bounded name resolution, so that DNS time and DNS failure are recorded apart from TCP.
enum AddressResolver {
    /// The outcome of one resolution.
    enum Outcome: Sendable {
        case resolved([SocketAddress])
        case failed(String)
        case timedOut
    }

    /// An IP literal as an address, without any lookup.
    static func literal(_ host: String, port: Int) -> SocketAddress? {
        try? SocketAddress(ipAddress: host, port: port)
    }

    /// Resolves `host` with `getaddrinfo` on NIO's thread pool, giving up after `timeout`.
    ///
    /// The lookup's result and the timeout both arrive on `eventLoop` (the connection's), so an awaiting caller
    /// isolated to that loop resumes there: nothing waits for Swift's cooperative pool, which a busy process
    /// can hold for seconds.
    static func resolve(host: String, port: Int, timeout: Duration, on eventLoop: any EventLoop) async -> Outcome {
        let promise = eventLoop.makePromise(of: Outcome.self)
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { promise.succeed(.timedOut) }
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { lookup(host: host, port: port) }
            .whenComplete { result in
                timer.cancel()
                switch result {
                case .success(let outcome): promise.succeed(outcome)
                case .failure(let error): promise.succeed(.failed("resolver unavailable: \(error)"))
                }
            }
        // Both completions run on `eventLoop`: the later one finds the promise fulfilled and is ignored.
        return (try? await promise.futureResult.get()) ?? .timedOut
    }

    private static func lookup(host: String, port: Int) -> Outcome {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
            hints.ai_protocol = IPPROTO_TCP
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_protocol = Int32(IPPROTO_TCP)
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            let message = String(cString: gai_strerror(rc))
            return .failed("cannot resolve '\(host)': \(message)")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sa = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    let v4 = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    addresses.append(SocketAddress(v4, host: host))
                case AF_INET6:
                    let v6 = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    addresses.append(SocketAddress(v6, host: host))
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        var seen = Set<String>()
        addresses = addresses.filter { seen.insert(describe($0)).inserted }
        return addresses.isEmpty ? .failed("'\(host)' resolved to no IPv4 or IPv6 address") : .resolved(addresses)
    }

    /// `127.0.0.1:8080` or `[::1]:8080`.
    static func describe(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
