/// An application fault that makes the backend report not ready on `/health` (HTTP 503 `not-ready`).
public protocol ReadinessAppFault: AppFault {
    /// Whether the backend is ready `activeFor` after the fault was switched on.
    func isReady(activeFor: Duration) -> Bool
}
