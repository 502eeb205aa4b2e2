/// One infrastructure behaviour the proxy can reproduce (toxiproxy's "toxic").
///
/// The one main requirement is `init(spec:)`: build the fault from its `NAME[:k=v,…]` parameters,
/// rejecting bad or unknown ones. `descriptor` names it for the registry. What the fault *does*
/// comes from the capability protocols it also adopts:
/// - `HandshakeFault`: edit, delay or answer the upgrade request / response;
/// - `FrameFault`: drop or rewrite WebSocket frames after the 101;
/// - `StreamFault`: delay, slice, throttle, swallow or cut the byte stream after the 101;
/// - `ConnectionTimerFault`: end the connection on a timer (lifetime, idle, injected close);
/// - `InstanceFault`: take an upstream instance out (scale-in);
/// - `ProxyReloadFault`: cut every open connection after a grace (a proxy reload).
/// - `HTTP2ConnectFault`: fail the extended CONNECT of a WebSocket over HTTP/2 (a proxy serving `--http2`).
///
/// Name, direction and probability live on `ConfiguredFault`, the shared wrapper; `direction` and
/// `probability` parameters are taken off the spec before `init(spec:)` sees it.
/// See docs/WRITING_A_FAULT.md.
public protocol Fault: FaultDefinition, CustomStringConvertible {}

extension Fault {
    /// The registry name.
    public var description: String { Self.descriptor.name }
}
