import Foundation
import Testing
import WebSocketLab

@Suite("Upgrade credentials: where the backend finds the token")
struct UpgradeCredentialsTests {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

    @Test func rawJWTSubprotocolEntryIsUsedAndJWTAuthIsNoticed() {
        let c = UpgradeCredentials(headers: [("Sec-WebSocket-Protocol", "jwt-auth, jwt.\(jwt)")], uri: "/ws")
        #expect(c.token == jwt)
        #expect(c.source == .subprotocol)
        #expect(c.offersJWTAuth)
    }

    @Test func base64urlSubprotocolEntryIsDecoded() {
        let b64 = Data(jwt.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let c = UpgradeCredentials(headers: [("sec-websocket-protocol", "jwt-auth"), ("sec-websocket-protocol", "jwt.\(b64)")], uri: "/ws")
        #expect(c.token == jwt)
    }

    @Test func subprotocolWinsOverHeaderWhichWinsOverQuery() {
        let all = UpgradeCredentials(
            headers: [("Authorization", "Bearer header-token"), ("Sec-WebSocket-Protocol", "jwt.\(jwt)")], uri: "/ws?token=q")
        #expect(all.source == .subprotocol)
        #expect(!all.offersJWTAuth)
        let header = UpgradeCredentials(headers: [("Authorization", "Bearer header-token")], uri: "/ws?token=q")
        #expect(header.token == "header-token")
        #expect(header.source == .authorizationHeader)
        let query = UpgradeCredentials(headers: [], uri: "/ws?x=1&token=a%2Eb.c")
        #expect(query.token == "a.b.c")
        #expect(query.source == .queryParameter)
        #expect(UpgradeCredentials(headers: [("Authorization", "Basic abc")], uri: "/ws").token == nil)
    }
}
