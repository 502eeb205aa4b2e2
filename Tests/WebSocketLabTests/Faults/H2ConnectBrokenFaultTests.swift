import NIOCore
import Testing
import WebSocketDiagnosis

@testable import WebSocketLab

@Suite("h2-connect-broken fault")
struct H2ConnectBrokenFaultTests {
    static let connect: [HeaderField] = [
        HeaderField(":method", "CONNECT"), HeaderField(":protocol", "websocket"), HeaderField(":scheme", "https"),
        HeaderField(":path", "/ws"), HeaderField(":authority", "127.0.0.1:8443"), HeaderField("sec-websocket-version", "13"),
    ]

    /// What a stream of the HTTP/2 front does with an extended CONNECT under the fault built from `text`.
    static func actions(_ text: String) throws -> [HTTP2FrontStreamStateMachine.Action] {
        let failure = try #require(FaultStub(text).fault(as: (any HTTP2ConnectFault).self)).connectFailure
        var machine = HTTP2FrontStreamStateMachine(key: "k", maxHeadBytes: 1024)
        return machine.headersReceived(connect, endStream: false, failure: failure)
    }

    @Test func eachModeFailsTheExtendedConnectWithoutReachingTheUpstream() throws {
        let status = try Self.actions("h2-connect-broken")
        #expect(
            status.first == .sendHeaders(status: 501, headers: [HeaderField("content-type", "text/plain; charset=utf-8")], endStream: false)
        )
        #expect(!status.contains { if case .connectUpstream = $0 { true } else { false } })
        #expect(
            try Self.actions("h2-connect-broken:status=400").first.map { if case .sendHeaders(400, _, _) = $0 { true } else { false } }
                == true)
        #expect(try Self.actions("h2-connect-broken:mode=reset") == [.resetStream(code: 0x1)])
        #expect(try Self.actions("h2-connect-broken:mode=reset,code=REFUSED_STREAM") == [.resetStream(code: 0x7)])
        #expect(try Self.actions("h2-connect-broken:mode=reset,code=0xa") == [.resetStream(code: 0xa)])
        #expect(
            try Self.actions("h2-connect-broken:mode=accept-reset") == [
                .sendHeaders(status: 200, headers: [], endStream: false), .resetStream(code: 0x8),
            ])
    }

    @Test func plainRequestsOverHTTP2AreNotFailed() throws {
        let failure = try #require(FaultStub("h2-connect-broken").fault(as: (any HTTP2ConnectFault).self)).connectFailure
        var machine = HTTP2FrontStreamStateMachine(key: "k", maxHeadBytes: 1024)
        let get = [
            HeaderField(":method", "GET"), HeaderField(":scheme", "https"), HeaderField(":path", "/"), HeaderField(":authority", "a"),
        ]
        let actions = machine.headersReceived(get, endStream: true, failure: failure)
        #expect(actions.count == 1 && { if case .connectUpstream = actions[0] { true } else { false } }())
    }

    @Test func badParametersNameTheProblem() {
        #expect { try FaultStub("h2-connect-broken:status=200") } throws: { "\($0)".contains("'status' must be 400…599") }
        #expect { try FaultStub("h2-connect-broken:mode=drop") } throws: {
            "\($0)".contains("'mode' must be status, reset or accept-reset")
        }
        #expect { try FaultStub("h2-connect-broken:mode=reset,code=NOPE") } throws: { "\($0)".contains("HTTP/2 error code name") }
        #expect { try FaultStub("h2-connect-broken:code=CANCEL") } throws: { "\($0)".contains("'code' goes with mode=reset") }
        #expect { try FaultStub("h2-connect-broken:mode=reset,status=502") } throws: { "\($0)".contains("'status' goes with mode=status") }
    }
}
