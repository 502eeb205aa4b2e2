import Foundation

extension TestUser {
    private struct File: Codable { var users: [TestUser] }

    /// Decodes `{"users": [...]}` (the format of `Fixtures/test_users.json`).
    public static func decode(_ data: Data) throws -> [TestUser] {
        try JSONDecoder().decode(File.self, from: data).users
    }

    /// Loads users from a JSON file; throws a readable error when the file is missing or malformed.
    public static func load(from path: String) throws -> [TestUser] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LabError.configuration("cannot read test users from \(path): \(error.localizedDescription)")
        }
        do {
            return try decode(data)
        } catch {
            throw LabError.configuration(
                "\(path) is not a test-user file: expected {\"users\": [{\"email\", \"user_id\", \"plan\", \"permissions\"}]} (\(error))")
        }
    }

    /// `Fixtures/test_users.json` found from the working directory upwards, else ``defaults``.
    public static func fixturesOrDefaults(startingAt directory: String = FileManager.default.currentDirectoryPath) -> [TestUser] {
        var dir = URL(fileURLWithPath: directory)
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Fixtures/test_users.json").path
            if FileManager.default.fileExists(atPath: candidate), let users = try? load(from: candidate), !users.isEmpty {
                return users
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return defaults
    }
}
