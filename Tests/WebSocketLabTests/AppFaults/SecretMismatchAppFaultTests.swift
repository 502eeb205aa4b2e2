import Testing
import WebSocketLab

@Suite("secret-mismatch application fault")
struct SecretMismatchAppFaultTests {
    @Test func theBackendVerifiesWithTheOtherSecret() throws {
        var settings = AppFaultStub.base
        try AppFaultStub.make(SecretMismatchAppFault.self, "secret-mismatch:secret=other-secret").adjust(&settings)
        #expect(settings.verificationSecret == "other-secret")
        var byDefault = AppFaultStub.base
        try AppFaultStub.make(SecretMismatchAppFault.self, "secret-mismatch").adjust(&byDefault)
        #expect(byDefault.verificationSecret != AppFaultStub.base.verificationSecret)
        // The secret never appears in an error.
        #expect { try AppFaultStub.make(SecretMismatchAppFault.self, "secret-mismatch:secret=hush,x=1") } throws: {
            !"\($0)".contains("hush")
        }
    }
}
