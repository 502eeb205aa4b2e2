import Foundation

/// Where the repository's `Fixtures/` live, found from this source file (independent of the working directory).
public enum FixturePaths {
    /// `<repo>/Fixtures`.
    public static let fixtures: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()
    /// `Fixtures/scenarios`.
    public static var scenarios: String { fixtures + "/scenarios" }
    /// `Fixtures/test_users.json`.
    public static var testUsers: String { fixtures + "/test_users.json" }
    /// `Fixtures/config/staging.json`.
    public static var stagingProfile: String { fixtures + "/config/staging.json" }
}
