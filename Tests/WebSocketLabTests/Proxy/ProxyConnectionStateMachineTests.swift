import NIOCore
import Testing

@testable import WebSocketLab

/// The proxy connection's decisions without sockets or clocks: every phase, both half-closes, errors
/// and ends in each phase, and events after the end.
@Suite("Proxy connection state machine")
struct ProxyConnectionStateMachineTests {
    typealias Machine = ProxyConnectionStateMachine

    static let upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    static let plain = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    static let switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"

    static func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// A machine that read `request` and connected its upstream.
    static func awaitingResponse(_ request: String = upgrade, forwardsUpgrade: Bool = true) -> Machine {
        var m = Machine(maxHeadBytes: 4096)
        _ = m.received(bytes(request), from: .client)
        _ = m.upstreamConnected(forwardsUpgrade: forwardsUpgrade, maxHeadBytes: 4096)
        return m
    }

    /// A machine in the tunnel: a WebSocket after a 101, else a plain HTTP exchange.
    static func tunnel(webSocket: Bool = true) -> Machine {
        var m = awaitingResponse(webSocket ? upgrade : plain)
        _ = m.received(bytes(webSocket ? switching : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), from: .server)
        _ = m.responseRelayed(status: webSocket ? 101 : 200)
        return m
    }

    // MARK: - Request head

    @Test func requestHeadSplitAcrossReadsIsHandedOnOnceComplete() throws {
        var m = Machine(maxHeadBytes: 4096)
        let text = Array(Self.upgrade.utf8)
        #expect(m.received(ByteBuffer(bytes: text[0..<20]), from: .client) == .none)
        #expect(m.phase == "readingRequest")
        guard case .applyRequestFaults(let head) = m.received(ByteBuffer(bytes: text[20...]), from: .client) else {
            Issue.record("the complete head was not handed on")
            return
        }
        #expect(head.target == "/ws")
        #expect(head.isWebSocketUpgrade)
        #expect(m.phase == "handshaking")
        #expect(m.upstreamDue())
    }

    @Test func oversizedRequestHeadIsAnswered431AndTheConnectionEndsWithTheClient() {
        var m = Machine(maxHeadBytes: 64)
        let action = m.received(Self.bytes("GET /" + String(repeating: "a", count: 200)), from: .client)
        #expect(action == .respond(status: 431, body: "request head larger than 64 bytes", closeUpstream: false, answersUpgrade: false))
        #expect(m.phase == "closing")
        #expect(m.received(Self.bytes("more"), from: .client) == .none)
        #expect(m.closed(.client) == .finish(.init(endedBy: .proxy, closesWebSocket: false)))
    }

    @Test func malformedRequestHeadIsAnswered400() {
        var m = Machine(maxHeadBytes: 4096)
        #expect(
            m.received(Self.bytes("NOT A REQUEST\r\n\r\n"), from: .client)
                == .respond(status: 400, body: "malformed HTTP request head", closeUpstream: false, answersUpgrade: false))
    }

    @Test func requestThatNeverCompletesTimesOutOnlyWhileTheHeadIsRead() {
        var m = Machine(maxHeadBytes: 4096)
        _ = m.received(Self.bytes("GET / HT"), from: .client)
        #expect(m.requestTimedOut() == .closeBoth(reset: false))
        #expect(m.closed(.client) == .finish(.init(endedBy: .proxy, closesWebSocket: false)))

        var later = Self.awaitingResponse()
        #expect(later.requestTimedOut() == .none)
        #expect(later.phase == "awaitingResponse")
    }

    // MARK: - Handshake

    @Test func plainRequestSendsTheBytesAfterItsHeadWithTheHead() {
        var m = Machine(maxHeadBytes: 4096)
        #expect(m.readPolicy(.client) == .read)
        _ = m.received(Self.bytes("POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\nBODY"), from: .client)
        #expect(m.readPolicy(.client) == .hold)
        #expect(m.received(Self.bytes("MORE"), from: .client) == .none)
        #expect(m.upstreamConnected(forwardsUpgrade: false, maxHeadBytes: 4096) == .sendRequest(pending: Self.bytes("BODYMORE")))
        #expect(m.readPolicy(.client) == .whenUpstreamWritable)
        #expect(m.readPolicy(.server) == .read)
        #expect(m.received(Self.bytes("TAIL"), from: .client) == .forwardRequestBody)
    }

    @Test func upgradeHoldsTheClientsBytesUntilTheUpgradeIsAnswered() {
        var m = Machine(maxHeadBytes: 4096)
        _ = m.received(Self.bytes(Self.upgrade + "FRAME"), from: .client)
        #expect(m.upstreamConnected(forwardsUpgrade: true, maxHeadBytes: 4096) == .sendRequest(pending: nil))
        #expect(m.readPolicy(.client) == .hold)
        #expect(m.received(Self.bytes("MORE"), from: .client) == .none)
        guard case .relayResponse(let head, let rest, let answersUpgrade) = m.received(Self.bytes(Self.switching + "F1"), from: .server)
        else {
            Issue.record("the response head was not handed on")
            return
        }
        #expect(head.status == 101)
        #expect(String(buffer: rest) == "F1")
        #expect(answersUpgrade)
        #expect(m.responseRelayed(status: 101) == .openTunnel(webSocket: true, pending: Self.bytes("FRAMEMORE")))
        #expect(m.tunnel == .init(isWebSocket: true))
        #expect(m.readPolicy(.client) == .whenTunnelAccepts)
    }

    @Test func upgradeAnsweredWithoutA101IsAPlainTunnel() {
        var m = Self.awaitingResponse()
        _ = m.received(Self.bytes("HTTP/1.1 403 Forbidden\r\n\r\n"), from: .server)
        #expect(m.responseRelayed(status: 403) == .openTunnel(webSocket: false, pending: nil))
        #expect(m.received(Self.bytes("x"), from: .server) == .forward(.downstream, webSocket: false))
    }

    @Test func upgradeAFaultStrippedIsNotAWebSocketEvenWithA101() {
        var m = Self.awaitingResponse(forwardsUpgrade: false)
        _ = m.received(Self.bytes(Self.switching), from: .server)
        #expect(m.responseRelayed(status: 101) == .openTunnel(webSocket: false, pending: nil))
    }

    @Test func refusalDuringTheHandshakeAnswersAndADelayedConnectIsClosed() {
        var m = Machine(maxHeadBytes: 4096)
        _ = m.received(Self.bytes(Self.upgrade), from: .client)
        #expect(m.refuse(status: 503, body: "no") == .respond(status: 503, body: "no", closeUpstream: false, answersUpgrade: true))
        #expect(!m.upstreamDue())
        #expect(m.upstreamConnected(forwardsUpgrade: true, maxHeadBytes: 4096) == .closeStray)
        #expect(m.closed(.server) == .none)
        #expect(m.refuse(status: 502, body: "again") == .none)
        #expect(m.closed(.client) == .finish(.init(endedBy: .proxy, closesWebSocket: false)))
    }

    @Test func clientLeavingDuringTheHandshakeEndsAtOnce() {
        var m = Machine(maxHeadBytes: 4096)
        _ = m.received(Self.bytes(Self.upgrade), from: .client)
        #expect(m.closed(.client) == .finish(.init(endedBy: .client, closesWebSocket: false)))
        #expect(m.upstreamConnected(forwardsUpgrade: true, maxHeadBytes: 4096) == .closeStray)
        #expect(m.refuse(status: 502, body: "cannot connect") == .none)
    }

    // MARK: - Response head

    @Test func oversizedOrMalformedResponseHeadIsAnswered502AndTheUpstreamClosed() {
        var big = Self.awaitingResponse()
        let tooLarge = big.received(Self.bytes("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 5000)), from: .server)
        #expect(
            tooLarge
                == .respond(status: 502, body: "Bad Gateway: upstream response head too large", closeUpstream: true, answersUpgrade: true))

        var bad = Self.awaitingResponse()
        let malformed = bad.received(Self.bytes("garbage\r\n\r\n"), from: .server)
        #expect(
            malformed
                == .respond(status: 502, body: "Bad Gateway: malformed upstream response head", closeUpstream: true, answersUpgrade: true))
        #expect(bad.closing == .init(client: .open, server: .open, isWebSocket: false, answering: true))
    }

    @Test func closingTheUpstreamUnderAResponseDoesNotCloseTheClient() {
        var m = Self.awaitingResponse()
        _ = m.responseTimedOut()
        // The upstream's close comes back as an event while the answer is being written: the client stays.
        #expect(m.closed(.server) == .none)
        #expect(m.closing == .init(client: .open, server: .closed, isWebSocket: false, answering: true))
        #expect(m.closed(.client) == .finish(.init(endedBy: .proxy, closesWebSocket: false)))
    }

    @Test func upstreamTooSlowToAnswerIsAnswered504() {
        var m = Self.awaitingResponse()
        #expect(
            m.responseTimedOut()
                == .respond(
                    status: 504, body: "Gateway Timeout: upstream did not answer in time", closeUpstream: true, answersUpgrade: true))
        var tunnel = Self.tunnel()
        #expect(tunnel.responseTimedOut() == .none)
    }

    @Test func upstreamClosingBeforeAnsweringIsAnswered502() {
        var m = Self.awaitingResponse()
        #expect(
            m.closed(.server)
                == .respond(
                    status: 502, body: "Bad Gateway: upstream closed the connection before answering", closeUpstream: false,
                    answersUpgrade: true))
        #expect(m.closed(.client) == .finish(.init(endedBy: .upstream, closesWebSocket: false)))
    }

    @Test func clientLeavingBeforeTheResponseClosesTheUpstream() {
        var m = Self.awaitingResponse()
        #expect(m.closed(.client) == .closeUpstream)
        #expect(m.received(Self.bytes(Self.switching), from: .server) == .none)
        #expect(m.closed(.server) == .finish(.init(endedBy: .client, closesWebSocket: false)))
    }

    // MARK: - Tunnel

    @Test func tunnelBytesGoToTheOtherSide() {
        var m = Self.tunnel()
        #expect(m.received(Self.bytes("a"), from: .client) == .forward(.upstream, webSocket: true))
        #expect(m.received(Self.bytes("b"), from: .server) == .forward(.downstream, webSocket: true))
        #expect(m.isLive)
    }

    @Test func tunnelRouteAnswersAsReceivedDoesAndOnlyInTheTunnel() throws {
        for webSocket in [true, false] {
            var m = Self.tunnel(webSocket: webSocket)
            for side in [ProxySideHandler.Side.client, .server] {
                let route = try #require(m.tunnelRoute(from: side))
                #expect(route.direction == (side == .client ? .upstream : .downstream))
                #expect(route.webSocket == webSocket)
                #expect(m.received(Self.bytes("x"), from: side) == .forward(route.direction, webSocket: webSocket))
            }
            _ = m.closed(.client)
            _ = m.closed(.server)
            #expect(m.tunnelRoute(from: .client) == nil, "finished: no route")
        }
        #expect(Machine(maxHeadBytes: 1024).tunnelRoute(from: .client) == nil, "reading the request head: no route")
    }

    @Test(arguments: [ProxySideHandler.Side.client, .server])
    func halfCloseIsPassedOnAndTheOtherWayKeepsFlowing(first: ProxySideHandler.Side) {
        var m = Self.tunnel()
        let other: ProxySideHandler.Side = first == .client ? .server : .client
        #expect(m.closed(first) == .passEnd(first == .client ? .upstream : .downstream))
        #expect(m.closed(first) == .none)
        #expect(m.received(Self.bytes("late"), from: other) == .forward(other == .client ? .upstream : .downstream, webSocket: true))
        #expect(m.tunnel?.client == (first == .client ? .closed : .open))
        #expect(m.closed(other) == .finish(.init(endedBy: first == .client ? .client : .upstream, closesWebSocket: true)))
        #expect(!m.isLive)
    }

    @Test func errorOnOneSideMakesThatSideTheEnder() {
        var m = Self.tunnel()
        m.failed(.server)
        _ = m.closed(.client)
        #expect(m.closed(.server) == .finish(.init(endedBy: .upstream, closesWebSocket: true)))

        var early = Machine(maxHeadBytes: 4096)
        early.failed(.client)
        #expect(early.closed(.client) == .finish(.init(endedBy: .client, closesWebSocket: false)))
    }

    // MARK: - Ends decided by faults or the proxy

    @Test(arguments: ["readingRequest", "handshaking", "awaitingResponse", "tunnel"])
    func closeTransportEndsEveryPhaseAndLaterEventsAreIgnored(phase: String) {
        var m: Machine
        switch phase {
        case "readingRequest": m = Machine(maxHeadBytes: 4096)
        case "handshaking":
            m = Machine(maxHeadBytes: 4096)
            _ = m.received(Self.bytes(Self.upgrade), from: .client)
        case "awaitingResponse": m = Self.awaitingResponse()
        default: m = Self.tunnel()
        }
        #expect(m.phase == phase)
        #expect(m.end(.closeTransport, by: .proxy) == .closeBoth(reset: false))
        #expect(!m.isLive)
        // The closes are issued (the channels are closed, not half-open): a reset has nothing left to cut.
        #expect(m.end(.reset, by: .proxy) == .none)
        #expect(m.received(Self.bytes("x"), from: .client) == .none)
        #expect(m.readPolicy(.client) == .read)
        let last = m.closed(.client)
        if phase == "awaitingResponse" || phase == "tunnel" {
            #expect(last == .none)
            #expect(m.closed(.server) == .finish(.init(endedBy: .proxy, closesWebSocket: phase == "tunnel")))
        } else {
            #expect(last == .finish(.init(endedBy: .proxy, closesWebSocket: false)))
        }
    }

    @Test func resetClosesBothWithRST() {
        var m = Self.tunnel()
        #expect(m.end(.reset, by: .proxy) == .closeBoth(reset: true))
    }

    @Test func injectedCloseWaitsForTheAnswerOfThePeerItWasSentTo() {
        var m = Self.tunnel()
        #expect(
            m.end(.injectClose(code: 1001, reason: "going away", direction: .downstream), by: .proxy)
                == .injectClose(code: 1001, reason: "going away", toClient: true, toServer: false))
        #expect(m.tunnel?.awaitingCloseFrom == .client)
        #expect(m.closeFrameForwarded(from: .server) == .none)
        #expect(m.closeFrameForwarded(from: .client) == .closeBoth(reset: false))
        _ = m.closed(.client)
        #expect(m.closed(.server) == .finish(.init(endedBy: .proxy, closesWebSocket: true)))
    }

    @Test func injectedCloseBothWaysNeedsBothAnswers() {
        var m = Self.tunnel()
        _ = m.end(.injectClose(code: 1011, reason: "", direction: .both), by: .proxy)
        #expect(m.closeFrameForwarded(from: .client) == .none)
        #expect(m.closeFrameForwarded(from: .server) == .closeBoth(reset: false))
    }

    @Test func injectedCloseIsNotSentToASideThatAlreadyLeft() {
        var m = Self.tunnel()
        _ = m.closed(.client)
        #expect(
            m.end(.injectClose(code: 1001, reason: "", direction: .both), by: .proxy)
                == .injectClose(code: 1001, reason: "", toClient: false, toServer: true))
    }

    @Test func injectedCloseWithoutAnswerEndsAfterTheGracePeriod() {
        var m = Self.tunnel()
        _ = m.end(.injectClose(code: 1001, reason: "", direction: .downstream), by: .proxy)
        #expect(m.injectedCloseExpired() == .closeBoth(reset: false))
        #expect(m.injectedCloseExpired() == .none)
        #expect(m.closeFrameForwarded(from: .client) == .none)
    }

    @Test func closeFramesWithoutAnInjectedCloseChangeNothing() {
        var m = Self.tunnel()
        #expect(m.closeFrameForwarded(from: .client) == .none)
        #expect(m.injectedCloseExpired() == .none)
        #expect(m.phase == "tunnel")
    }

    @Test func injectedCloseOutsideAWebSocketClosesTheTransport() {
        var plain = Self.tunnel(webSocket: false)
        #expect(plain.end(.injectClose(code: 1001, reason: "", direction: .downstream), by: .proxy) == .closeBoth(reset: false))
        var early = Self.awaitingResponse()
        #expect(early.end(.injectClose(code: 1001, reason: "", direction: .downstream), by: .proxy) == .closeBoth(reset: false))
    }

    @Test func theFirstEnderIsKept() {
        var m = Self.tunnel()
        _ = m.closed(.server)
        _ = m.end(.closeTransport, by: .proxy)
        #expect(m.closed(.client) == .finish(.init(endedBy: .upstream, closesWebSocket: true)))
    }

    // MARK: - After the end

    @Test func eventsAfterTheEndDoNothing() {
        var m = Self.tunnel()
        _ = m.closed(.client)
        _ = m.closed(.server)
        #expect(m.phase == "finished")
        #expect(m.received(Self.bytes("x"), from: .client) == .none)
        #expect(m.received(Self.bytes("x"), from: .server) == .none)
        #expect(m.closed(.client) == .none)
        #expect(m.closed(.server) == .none)
        #expect(m.end(.closeTransport, by: .proxy) == .none)
        #expect(m.end(.injectClose(code: 1001, reason: "", direction: .both), by: .proxy) == .none)
        #expect(m.refuse(status: 503, body: "") == .none)
        #expect(m.responseRelayed(status: 101) == .none)
        #expect(m.responseTimedOut() == .none)
        #expect(m.requestTimedOut() == .none)
        #expect(m.injectedCloseExpired() == .none)
        #expect(m.closeFrameForwarded(from: .client) == .none)
        #expect(m.upstreamConnected(forwardsUpgrade: true, maxHeadBytes: 4096) == .closeStray)
        #expect(m.readPolicy(.client) == .hold)
        #expect(m.readPolicy(.server) == .hold)
        m.failed(.server)
        #expect(m.endedBy == .client)
        #expect(!m.isLive)
    }

    // MARK: - The proxy's own answers

    @Test func aResetWhileTheProxysAnswerIsPendingCutsItWithRST() {
        var m = Self.awaitingResponse()
        _ = m.responseTimedOut()
        // A graceful close adds nothing to an answer that closes the client once written…
        #expect(m.end(.closeTransport, by: .proxy) == .none)
        #expect(m.end(.injectClose(code: 1001, reason: "", direction: .both), by: .proxy) == .none)
        // …but a reset fault means "now, abruptly": the answer not yet taken is cut.
        #expect(m.end(.reset, by: .proxy) == .closeBoth(reset: true))
        #expect(m.closing?.answering == false)
        #expect(m.end(.reset, by: .proxy) == .none)
        #expect(m.endedBy == .proxy)
        #expect(m.closed(.server) == .none)
        #expect(m.closed(.client) == .finish(.init(endedBy: .proxy, closesWebSocket: false)))
    }

    @Test func aResetAfterTheClientTookTheAnswerAndLeftDoesNothing() {
        var m = Machine(maxHeadBytes: 64)
        _ = m.received(Self.bytes("GET /" + String(repeating: "a", count: 200)), from: .client)
        #expect(m.closed(.client) == .finish(.init(endedBy: .proxy, closesWebSocket: false)))
        #expect(m.end(.reset, by: .proxy) == .none)
    }

    @Test func theAnswerDeadlineClosesAClientThatDoesNotReadOnce() {
        var m = Self.awaitingResponse()
        _ = m.closed(.server)
        #expect(m.closing?.answering == true)
        #expect(m.answerDeadlinePassed() == .closeBoth(reset: false))
        #expect(m.answerDeadlinePassed() == .none)
        #expect(m.closed(.client) == .finish(.init(endedBy: .upstream, closesWebSocket: false)))
        #expect(m.answerDeadlinePassed() == .none)
    }

    @Test func theAnswerDeadlineDoesNothingOnceTheClientLeftOrWithoutAnAnswer() {
        var left = Self.awaitingResponse()
        _ = left.responseTimedOut()
        _ = left.closed(.client)
        #expect(left.answerDeadlinePassed() == .none)

        var tunnel = Self.tunnel()
        #expect(tunnel.answerDeadlinePassed() == .none)
        _ = tunnel.end(.closeTransport, by: .proxy)
        #expect(tunnel.answerDeadlinePassed() == .none)
    }

    @Test func aStrayConnectLeavesTheClosingConnectionAsItWas() {
        var m = Machine(maxHeadBytes: 4096)
        _ = m.received(Self.bytes(Self.upgrade), from: .client)
        _ = m.refuse(status: 503, body: "no instance")
        let before = m.closing
        #expect(m.upstreamConnected(forwardsUpgrade: true, maxHeadBytes: 4096) == .closeStray)
        #expect(m.closing == before)
        #expect(m.closing == .init(client: .open, server: .closed, isWebSocket: false, answering: true))
    }
}
