/// A fault that cuts every open connection of the proxy at once, a grace after it is installed, while new
/// connections are served as before (a proxy reload).
public protocol ProxyReloadFault: Fault {
    /// The grace between installing the fault and the cut.
    var reloadAfter: Duration { get }
    /// How the open connections end.
    var reloadMode: DrainMode { get }
}
