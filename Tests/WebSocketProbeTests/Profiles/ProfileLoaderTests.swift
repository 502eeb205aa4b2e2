import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("Profile loader")
struct ProfileLoaderTests {
    func decode(_ text: String) throws(ProfileLoadError) -> ApplicationProfile {
        try ProfileLoader.decode(Data(text.utf8), path: "my-app.json")
    }

    func error(_ text: String) -> ProfileLoadError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyBuiltInResolvesByNameAndReferenceIsTheLab() throws {
        for profile in ApplicationProfile.builtIns { #expect(try ProfileLoader.resolve(profile.name) == profile) }
        #expect(try ProfileLoader.resolve("reference") == .lab)
        #expect(try ProfileLoader.resolve("LAB") == .lab)
        #expect(Set(ApplicationProfile.builtIns.map(\.name)) == ["plain", "echo", "lab", "netra", "socketio"])
    }

    @Test func theStarterFileParsesAndSaysWhatItSays() throws {
        let p = try decode(ProfileLoader.starter)
        #expect(p.name == "my-app")
        #expect(p.auth.subprotocols == ["jwt-auth", "jwt.{token:base64url}"])
        #expect(p.auth.selects == .fixed("jwt-auth"))
        #expect(p.auth.queryParameter == "token")
        #expect(p.envelope == .json(typeKey: "type", payloadKey: "payload"))
        #expect(p.welcome?.anyOf.count == 2)
        #expect(p.welcome?.anyOf[1].fields == ["data.event": "connection_established"])
        #expect(p.welcome?.within == .seconds(10))
        #expect(p.conversation.map(\.step) == [.messages, .agentEvents])
        #expect(p.conversation[1].expect.fields == ["run_id"])
        #expect(p.conversation[1].within == .seconds(60))
        #expect(p.criticalEvents == ApplicationProfile.agentEvents)
    }

    @Test func aMinimalFileIsAJSONProfileWithNothingToSay() throws {
        let p = try decode(#"{"format": "ws1011.profile/1", "name": "tiny"}"#)
        #expect(p.envelope == .json(typeKey: "type", payloadKey: "payload"))
        #expect(p.welcome == nil && p.conversation.isEmpty && p.criticalEvents.isEmpty)
    }

    @Test func aSocketIOFileSetsNamespaceAuthAndEvents() throws {
        let p = try decode(
            #"""
            {"format": "ws1011.profile/1", "name": "chat-io", "connect": {"path": "/socket.io/", "query": ["EIO=4", "transport=websocket"]},
             "envelope": {"kind": "socketio", "namespace": "/chat", "auth": {"token": "{token}"}},
             "heartbeat": {"kind": "engineio"},
             "conversation": [{"name": "hello", "send": {"type": "chat", "payload": {"text": "hi {random}"}},
                               "expect": {"events": ["chat_ack"], "terminal": "chat_ack"}}]}
            """#)
        #expect(p.envelope == .socketIO(namespace: "/chat", authJSON: #"{"token":"{token}"}"#))
        #expect(p.heartbeat == .engineIO(within: nil))
        #expect(p.connect.query == ["EIO=4", "transport=websocket"])
    }

    /// Each malformed file names the field and says how to fix it.
    @Test(arguments: [
        (#"{"format": "ws1011.profile/1"}"#, "name", "must be a string"),
        (#"{"format": "ws1011.profile/2", "name": "x"}"#, "format", "ws1011.profile/1"),
        (#"{"format": "ws1011.profile/1", "name": "x", "welcom": {}}"#, "welcom", "did you mean 'welcome'"),
        (#"{"format": "ws1011.profile/1", "name": "x", "auth": {"subprotocols": ["jwt-auth"]}}"#, "auth.subprotocols", "{token}"),
        (#"{"format": "ws1011.profile/1", "name": "x", "auth": {"subprotocols": ["jwt.{tokn}"]}}"#, "auth.subprotocols[0]", "{tokn}"),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "auth": {"subprotocols": ["jwt.{token}"], "selects": "fixed:chat"}}"#,
            "auth.selects", "offered"
        ),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "auth": {"selects": "sometimes"}}"#, "auth.selects",
            "none, any, token-entry or fixed:NAME"
        ),
        (#"{"format": "ws1011.profile/1", "name": "x", "auth": {"channel": "query"}}"#, "auth.channel", "auth.query is not given"),
        (#"{"format": "ws1011.profile/1", "name": "x", "envelope": {"kind": "xml"}}"#, "envelope.kind", "json, socketio or raw"),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "envelope": {"kind": "raw", "typeKey": "t"}}"#, "envelope.typeKey",
            "does not apply"
        ),
        (#"{"format": "ws1011.profile/1", "name": "x", "welcome": {"anyOf": []}}"#, "welcome.anyOf", "1 to 16"),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "welcome": {"anyOf": [{"type": "hi"}], "within": "soon"}}"#, "welcome.within",
            "\"10s\""
        ),
        (#"{"format": "ws1011.profile/1", "name": "x", "heartbeat": {"kind": "engineio"}}"#, "heartbeat.kind", "socketio"),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "conversation": [{"name": "a", "send": {"type": "go"}, "expect": {}}]}"#,
            "conversation[0].expect", "anyReply"
        ),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "conversation": [{"name": "a", "send": {"type": "go"}, "expect": {"chunks": "c"}}]}"#,
            "conversation[0].expect", "terminal"
        ),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "conversation": [{"name": "a", "send": {"type": "go", "payload": [1]}, "expect": {"anyReply": true}}]}"#,
            "conversation[0].send.payload", "JSON object"
        ),
        (
            #"{"format": "ws1011.profile/1", "name": "x", "criticalEvents": ["done"]}"#, "criticalEvents",
            "not expected by any conversation step"
        ),
        (#"{"format": "ws1011.profile/1", "name": "a b"}"#, "name", "letters, digits"),
    ])
    func aMalformedFileNamesTheFieldAndTheFix(_ text: String, _ field: String, _ fix: String) throws {
        let e = try #require(error(text))
        #expect(e.path == "my-app.json")
        #expect(e.field == field, "\(e)")
        #expect(e.description.contains(fix), "\(e)")
        #expect(e.description.hasPrefix("profile my-app.json: field \(field): "))
    }

    @Test func notJSONOrNotAnObjectIsRefusedWholeFile() {
        #expect(error("{\"format\": ")?.description.contains("not valid JSON") == true)
        #expect(error("[1, 2]")?.description.contains("top level must be a JSON object") == true)
    }

    @Test func anUnknownNameThatIsNoFileListsTheBuiltIns() {
        do {
            _ = try ProfileLoader.resolve("nosuch")
            Issue.record("resolved an unknown profile")
        } catch {
            #expect(error.description.contains("plain, echo, lab, netra, socketio"))
        }
    }

    @Test func aMissingFileSaysSo() {
        do {
            _ = try ProfileLoader.resolve("/nonexistent/app.json")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.path == "/nonexistent/app.json")
            #expect(error.description.contains("cannot read the file"))
        }
    }
}
