import Foundation
import Testing
import WebSocketDiagnosis

@Suite("Redactor")
struct RedactorTests {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjE3NjcyMjU2MDB9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
    let redactor = Redactor()

    @Test func authorizationKeepsItsSchemeButNotTheToken() {
        #expect(redactor.header(name: "Authorization", value: "Bearer \(jwt)") == "Bearer <redacted>")
        #expect(redactor.header(name: "proxy-authorization", value: "Basic dXNlcjpwYXNz") == "Basic <redacted>")
    }

    @Test func anHTTP2PathPseudoHeaderIsMaskedAsAURL() {
        let value = Redactor().header(name: ":path", value: "/ws?token=opaque-credential-42&room=1")
        #expect(!value.contains("opaque-credential-42"), "\(value)")
        #expect(value.hasPrefix("/ws?"), "\(value)")
    }

    @Test func secretHeadersAreMaskedWhole() {
        #expect(redactor.header(name: "Cookie", value: "session=abc123; theme=dark") == "<redacted>")
        #expect(redactor.header(name: "X-API-Key", value: "k-1234567890") == "<redacted>")
    }

    @Test func ordinaryHeadersPassThrough() {
        #expect(redactor.header(name: "Host", value: "chat.example.com") == "chat.example.com")
    }

    @Test func theJWTSubprotocolEntryIsMaskedAndTheMarkerKept() {
        #expect(redactor.header(name: "Sec-WebSocket-Protocol", value: "jwt-auth, jwt.\(jwt)") == "jwt-auth, jwt.<redacted>")
        #expect(redactor.subprotocol("jwt.\(jwt)") == "jwt.<redacted>")
        #expect(redactor.subprotocol("graphql-ws") == "graphql-ws")
    }

    @Test func headerListsAreRedactedInOrder() {
        let out = redactor.headers([HeaderField("Host", "h"), HeaderField("Authorization", "Bearer x1234")])
        #expect(out == [HeaderField("Host", "h"), HeaderField("Authorization", "Bearer <redacted>")])
    }

    @Test func tokenQueryParametersAreMaskedAndOthersKept() {
        #expect(redactor.url("wss://h.example/ws?room=7&token=\(jwt)&lang=en") == "wss://h.example/ws?room=7&token=<redacted>&lang=en")
        #expect(redactor.url("/ws?access_token=abc&x=1#frag") == "/ws?access_token=<redacted>&x=1#frag")
    }

    @Test func percentEncodedParameterNamesAreStillRecognised() {
        #expect(redactor.url("/ws?%74oken=secretvalue") == "/ws?%74oken=<redacted>")
    }

    @Test func userinfoInAURLIsMasked() {
        #expect(redactor.url("wss://user:hunter2@h.example/ws?x=1") == "wss://<redacted>@h.example/ws?x=1")
    }

    @Test func jwtShapedTextIsMaskedInsideFreeText() {
        #expect(redactor.text("rejected token \(jwt) at 12:00") == "rejected token <redacted> at 12:00")
    }

    @Test func eyJWithoutThreeSegmentsIsNotAJWT() {
        #expect(redactor.text("eyJust kidding.") == "eyJust kidding.")
    }

    @Test func knownSecretsAreScrubbedAnywhereButTinyOnesAreIgnored() {
        let r = Redactor(knownSecrets: ["s3cr3t-signing-key", "ab"])
        #expect(r.text("secret=s3cr3t-signing-key!") == "secret=<redacted>!")
        #expect(r.text("about abc") == "about abc")
    }

    @Test func addingSecretsReturnsARedactorThatScrubsThem() {
        let r = redactor.adding(secrets: ["opaque-token-123"])
        #expect(r.text("close reason: opaque-token-123 expired") == "close reason: <redacted> expired")
        #expect(redactor.text("opaque-token-123") == "opaque-token-123")
    }

    @Test func redactionIsDeterministic() {
        let text = "Bearer \(jwt) and again \(jwt)"
        #expect(redactor.text(text) == redactor.text(text))
        #expect(!redactor.text(text).contains("eyJ"))
    }

    // MARK: - Forms found in review: every one of these used to survive

    @Test func userinfoIsMaskedEvenWithoutAQuery() {
        let out = redactor.url("wss://alice:hunter2@example.com/ws")
        #expect(!out.contains("hunter2") && !out.contains("alice"), "\(out)")
        #expect(out.hasSuffix("@example.com/ws"), "\(out)")
    }

    @Test func fragmentTokensAreMasked() {
        let out = redactor.url("wss://h/ws?x=1#access_token=opaqueSecret123")
        #expect(!out.contains("opaqueSecret123"), "\(out)")
        #expect(out.contains("x=1"), "\(out)")
    }

    @Test(arguments: ["id_token", "refresh_token", "X-Amz-Security-Token", "api-key", "authToken", "client_secret"])
    func queryParametersNamedLikeSecretsAreMasked(name: String) {
        let out = redactor.url("wss://h/ws?\(name)=opaqueValue42&page=2")
        #expect(!out.contains("opaqueValue42"), "\(out)")
        #expect(out.contains("page=2"), "ordinary parameters stay: \(out)")
    }

    @Test func locationHeadersAreRedactedAsURLs() {
        let out = redactor.header(name: "Location", value: "https://h/login?token=opaqueLoc9")
        #expect(!out.contains("opaqueLoc9"), "\(out)")
    }

    @Test func headersNamedLikeSecretsAreMasked() {
        #expect(redactor.header(name: "X-Access-Token", value: "opaqueHdr7") == Redactor.mask)
        #expect(redactor.header(name: "X-Request-Id", value: "abc-123") == "abc-123")
        #expect(redactor.header(name: "Sec-WebSocket-Key", value: "dGhlIHNhbXBsZSBub25jZQ==") == "dGhlIHNhbXBsZSBub25jZQ==")
    }

    @Test func kubernetesBearerSubprotocolIsMasked() {
        let out = redactor.header(
            name: "Sec-WebSocket-Protocol", value: "base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpJVXpJMU5pSjk, v4.channel.k8s.io")
        #expect(!out.contains("ZXlK"), "\(out)")
        #expect(out.contains("v4.channel.k8s.io"), "\(out)")
    }

    @Test func theEntryAfterATokenMarkerIsMasked() {
        let out = redactor.header(name: "Sec-WebSocket-Protocol", value: "access_token, opaqueProto5, chat")
        #expect(!out.contains("opaqueProto5"), "\(out)")
        #expect(out.hasSuffix(", chat"), "\(out)")
    }

    @Test func knownSecretsAreMaskedInTheirEncodedForms() {
        let r = redactor.adding(secrets: ["ab+c/d=="])
        #expect(!r.text("reflected: ab%2Bc%2Fd%3D%3D").contains("ab%2Bc"))
        let b64 = Data("opaque-token-123".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(!redactor.adding(secrets: ["opaque-token-123"]).text("jwt.\(b64)").contains(b64))
    }
}

/// Every form a secret can take, and the secrets a request carries, are known to the redactor.
@Suite("Redactor secret forms")
struct RedactorSecretFormTests {
    let secret = "s3cr3T/tok+en=9~Z!q<&>"

    @Test func everyWireAndEscapeFormIsScrubbed() {
        let r = Redactor().adding(secrets: [secret])
        let base64 = Data(secret.utf8).base64EncodedString()
        let forms = [
            secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
            secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                .replacing(/%[0-9A-F]{2}/) { $0.output.lowercased() },  // lower-case escapes
            Redactor.queryEncoded(secret), base64, base64.replacingOccurrences(of: "=", with: ""), Redactor.base64url(secret),
            #"s3cr3T\/tok+en=9~Z!q<&>"#,  // JSON with escaped slashes
            "s3cr3T/tok+en=9~Z!q&lt;&amp;&gt;",
        ]
        for form in forms {
            #expect(r.text("before \(form) after") == "before <redacted> after", "form '\(form)' was not scrubbed")
        }
    }

    @Test func theSecretsOfAURLAreFoundInTheQueryTheFragmentAndTheUserinfo() {
        let r = Redactor()
        #expect(
            Set(r.secrets(inURL: "wss://h.example/ws?room=1&access_token=abc%2Fdef#id_token=xyz123")).isSuperset(of: [
                "abc%2Fdef", "abc/def", "xyz123",
            ]))
        #expect(r.secrets(inURL: "wss://h.example/ws?room=12345").isEmpty)
        #expect(Set(r.secrets(inURL: "wss://probe:hunter22@h.example/ws")).isSuperset(of: ["probe:hunter22", "hunter22"]))
        // A password typed with a raw '/' still counts as userinfo.
        #expect(r.secrets(inURL: "wss://probe:hun/ter22@h.example/ws").contains("hun/ter22"))
    }

    @Test func theSecretsOfHeadersAndSubprotocolsAreFound() {
        let r = Redactor()
        #expect(
            Set(r.secrets(inHeader: "Authorization", value: "Basic dXNlcjpwYXNzd29yZA==")).isSuperset(of: ["user:password", "password"]))
        #expect(r.secrets(inHeader: "X-Request-Id", value: "abc-123").isEmpty)
        let entry = "jwt." + Redactor.base64url("opaque-token-42")
        #expect(Set(r.secrets(inSubprotocol: entry)).isSuperset(of: [Redactor.base64url("opaque-token-42"), "opaque-token-42"]))
        let scrubbing = Redactor().adding(
            url: "wss://h/ws?api_key=k-998877", headers: [HeaderField("Cookie", "session=sess-445566; theme=dark")],
            subprotocols: ["access_token", "tok-112233"])
        #expect(scrubbing.text("echo k-998877 sess-445566 tok-112233") == "echo <redacted> <redacted> <redacted>")
    }

    @Test func aTranscriptLeavesTheBoundaryScrubbedInEveryTextField() {
        let r = Redactor().adding(secrets: ["opaque-token-42"])
        var t = ConnectionTranscript(target: TargetDescription(url: "ws://h/ws", scheme: "ws", host: "h", port: 80, resource: "/ws"))
        t.handshake = HandshakeObservation(
            status: 401, reasonPhrase: "bad opaque-token-42", httpVersion: "HTTP/1.1",
            headers: [HeaderField("X-Echo", "opaque-token-42")], bodyPreview: "token opaque-token-42",
            subprotocol: "x-opaque-token-42", extensions: ["opaque-token-42"])
        t.frames = [FrameRecord(direction: .inbound, opcode: "text", length: 30, atMs: 1, preview: "opaque-token-42")]
        t.findings = [Finding(.unexpectedStatus, "opaque-token-42")]
        t.close = CloseObservation(received: CloseFrameInfo(code: 1008, reason: "invalid opaque-token-42", atMs: 2), transportEnd: .eof)
        t.failure = ProbeFailure(stage: .upgrade, kind: "upgrade-rejected", detail: "opaque-token-42")
        t.tls = TLSObservation(failureDetail: "opaque-token-42")
        let json = String(decoding: try! JSONEncoder().encode(t.redacted(by: r)), as: UTF8.self)
        #expect(!json.contains("opaque-token-42"), "\(json)")
    }
}

@Suite("Redactor cut secrets")
struct RedactorCutSecretTests {
    let token = "opaque-token-0123456789abcdefghij"

    @Test func aSecretCutAtTheEndOrTheStartOfATextIsStillMasked() {
        let r = Redactor().adding(secrets: [token])
        #expect(r.text("invalid token: " + token.prefix(20)) == "invalid token: <redacted>")
        #expect(r.text(token.suffix(15) + " was rejected") == "<redacted> was rejected")
        // A short accidental overlap is left alone.
        #expect(r.text("see opaque") == "see opaque")
    }

    @Test func aJWTCutAfterItsPayloadIsStillMasked() {
        let cut = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjE3NjcyMjU2MDB9"
        #expect(Redactor().text("bad \(cut)") == "bad <redacted>")
    }
}
