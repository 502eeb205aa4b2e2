import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("Profile message envelopes")
struct ProfileMessageTests {
    let netraWelcome = ApplicationProfile.netra.welcome!

    @Test func netraAcceptsBothWelcomeShapesAndNothingElse() {
        let json = ApplicationProfile.netra.envelope
        let plain = ProfileMessage.decode(#"{"type":"connection_established","data":{"connection_id":"c1"},"timestamp":1}"#, envelope: json)
        let system = ProfileMessage.decode(
            #"{"type":"system_message","data":{"event":"connection_established"},"timestamp":1}"#, envelope: json)
        let otherSystem = ProfileMessage.decode(#"{"type":"system_message","data":{"event":"maintenance"}}"#, envelope: json)
        #expect(netraWelcome.anyOf.contains(where: plain.matches))
        #expect(netraWelcome.anyOf.contains(where: system.matches))
        #expect(!netraWelcome.anyOf.contains(where: otherSystem.matches))
    }

    @Test func jsonEventsUseTheProfilesKeysAndFillTemplatesEscaped() throws {
        let text = ProfileMessage.encode(
            .event(type: "start", payloadJSON: #"{"auth":"{token}","n":"{random}"}"#), envelope: .json(typeKey: "kind", payloadKey: "body"),
            token: #"a"b"#)
        let object = try #require(ProfileMessage.json(text) as? [String: Any])
        #expect(object["kind"] as? String == "start")
        #expect((object["body"] as? [String: Any])?["auth"] as? String == #"a"b"#)
    }

    @Test func engineIOAndSocketIOPacketsDecode() {
        let envelope = ApplicationProfile.socketIO.envelope
        #expect(
            ProfileMessage.decode(#"0{"sid":"x","pingInterval":300,"pingTimeout":200}"#, envelope: envelope).control
                == .open(pingIntervalMs: 300, pingTimeoutMs: 200))
        #expect(ProfileMessage.decode("2", envelope: envelope).control == .ping)
        #expect(ProfileMessage.decode(#"40{"sid":"y"}"#, envelope: envelope).control == .connect(namespace: "/"))
        #expect(ProfileMessage.decode(#"40/chat,{"sid":"y"}"#, envelope: envelope).control == .connect(namespace: "/chat"))
        #expect(
            ProfileMessage.decode(#"44/admin,{"message":"not authorized"}"#, envelope: envelope).control
                == .connectError(namespace: "/admin", message: "not authorized"))
        let event = ProfileMessage.decode(#"42["reply",{"text":"hi"}]"#, envelope: envelope)
        #expect(event.control == nil && event.type == "reply")
        #expect(ProfileMessage.value(at: "text", in: event.object) as? String == "hi")
        let acked = ProfileMessage.decode(#"42/chat,7["reply"]"#, envelope: envelope)
        #expect(acked.type == "reply")
    }

    @Test func socketIOEventsAndConnectPacketsEncode() {
        #expect(
            ProfileMessage.encode(
                .event(type: "message", payloadJSON: #""hi""#), envelope: .socketIO(namespace: "/", authJSON: nil), token: nil)
                == #"42["message","hi"]"#)
        #expect(
            ProfileMessage.encode(.event(type: "m", payloadJSON: "{}"), envelope: .socketIO(namespace: "/chat", authJSON: nil), token: nil)
                == #"42/chat,["m",{}]"#)
        #expect(ProfileMessage.connectPacket(namespace: "/", authJSON: nil, token: nil) == "40")
        #expect(
            ProfileMessage.connectPacket(namespace: "/chat", authJSON: #"{"token":"{token}"}"#, token: "t1") == #"40/chat,{"token":"t1"}"#)
    }

    @Test func theSocketIOProfileFindsItsPathAndQueryOnABareURL() throws {
        let bare = try WebSocketURL(parsing: "ws://127.0.0.1:9")
        #expect(ProbeRunner.profileTarget(bare, ApplicationProfile.socketIO.connect).resource == "/socket.io/?EIO=4&transport=websocket")
        let given = try WebSocketURL(parsing: "ws://127.0.0.1:9/io/?EIO=4")
        #expect(ProbeRunner.profileTarget(given, ApplicationProfile.socketIO.connect).resource == "/io/?EIO=4&transport=websocket")
    }

    @Test func theNetraProfileExpectsTheTokenEntryToBeSelected() throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:9/ws"))
        plan.profile = .netra
        let runner = ProbeRunner(plan: plan)
        let redactor = runner.redactor(token: "abc.def.ghi")
        let configuration = runner.clientConfiguration(url: plan.target, channel: .subprotocol, token: "abc.def.ghi", redactor: redactor)
        #expect(configuration.subprotocols == ["jwt-auth", "jwt." + Redactor.base64url("abc.def.ghi")])
        let expected = try #require(runner.expectedSubprotocol(channel: .subprotocol, token: "abc.def.ghi", redactor: redactor))
        #expect(expected == redactor.subprotocol("jwt." + Redactor.base64url("abc.def.ghi")))
        #expect(!expected.contains("abc"))
        plan.profile = .lab
        #expect(ProbeRunner(plan: plan).expectedSubprotocol(channel: .subprotocol, token: "t", redactor: redactor) == "jwt-auth")
    }
}
