import Testing

/// The tags of the ws1011 suites (see DESIGN.md, "Environment gating").
extension Tag {
    /// Phase 1: infrastructure isolation (fault proxy, upgrade path, timeouts, TLS).
    @Tag public static var phase1: Self
    /// Phase 2: application layer against real services.
    @Tag public static var phase2: Self
    /// Phase 3: end to end through a front.
    @Tag public static var phase3: Self
    /// Exercises the infrastructure layer (proxy, load balancer, TLS front).
    @Tag public static var infrastructure: Self
    /// Exercises the application layer (backend, auth service).
    @Tag public static var application: Self
    /// End to end through the whole path.
    @Tag public static var e2e: Self
    /// One of the plan's P1 critical tests.
    @Tag public static var p1Critical: Self
    /// Needs more than a few seconds by nature (a > 30 s sustained connection).
    @Tag public static var slow: Self
}
