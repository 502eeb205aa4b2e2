import Testing
import WebSocketDiagnosis

/// The loaders' "did you mean" for an unknown field.
@Suite("Did you mean")
struct DidYouMeanTests {
    @Test func aCloseNameIsSuggestedAndAFarOneIsNot() {
        #expect(DidYouMean.hint(for: "topolgy", among: ["probe", "topology", "expected"]) == " — did you mean 'topology'?")
        #expect(DidYouMean.hint(for: "HTTP2", among: ["http2", "tls"]) == " — did you mean 'http2'?", "case does not count")
        #expect(DidYouMean.hint(for: "completely-different", among: ["probe", "topology"]) == "")
        #expect(DidYouMean.hint(for: "x", among: [String]()) == "")
    }
}
