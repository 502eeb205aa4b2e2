/// The test plan's upper bounds, used by the P1 critical tests (from the staging profile when readable).
public enum PlanTimeouts {
    private static let profile = StagingProfile.load().profile
    /// Establishing a connection: 30 s.
    public static var connection: Duration { .milliseconds(Int64((profile?.connectionTimeoutSeconds ?? 30) * 1000)) }
    /// Authentication: 15 s.
    public static var authentication: Duration { .milliseconds(Int64((profile?.authenticationTimeoutSeconds ?? 15) * 1000)) }
    /// A message response: 10 s.
    public static var messageResponse: Duration { .milliseconds(Int64((profile?.messageResponseTimeoutSeconds ?? 10) * 1000)) }
    /// The sustained-connection check: more than 30 s.
    public static var sustainedConnection: Duration { .milliseconds(Int64((profile?.sustainedConnectionSeconds ?? 31) * 1000)) }
}
