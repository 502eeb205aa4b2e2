import WebSocketWire

extension CloseFrameInfo {
    /// The status code as a name in the registry (``CloseCode/internalError``); nil for a close frame without status.
    public var closeCode: CloseCode? { code.map { CloseCode($0) } }
}
