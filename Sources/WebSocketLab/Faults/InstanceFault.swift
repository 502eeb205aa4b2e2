/// A fault that takes an upstream instance out of service (scale-in).
///
/// While installed, new connections avoid the instance; when installed, the proxy ends the
/// instance's open connections `drainAfter` later.
public protocol InstanceFault: Fault {
    /// The instance index (0-based, in `ProxyConfiguration.upstreams` order).
    var instance: Int { get }
    /// How its connections end.
    var drainMode: DrainMode { get }
    /// Delay between installing the fault and ending the connections.
    var drainAfter: Duration { get }
}
