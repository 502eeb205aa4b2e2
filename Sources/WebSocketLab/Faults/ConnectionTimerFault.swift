/// A fault that ends or disturbs a connection on a timer.
public protocol ConnectionTimerFault: Fault {
    /// The timers to arm for one connection.
    func timers(direction: FaultDirection) -> [ConnectionTimer]
}
