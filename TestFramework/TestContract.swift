import Foundation
import WebSocketDiagnosis
import WebSocketProbe

/// The application contract the phase tests speak: the profile named by `WS1011_PROFILE` (a built-in name or
/// a profile file; default `lab`), or by the staging profile's `applicationProfile`, so that the same tests run
/// against an application whose contract is not the lab's.
///
/// Every message the tests send and every event they wait for comes from here (the welcome, the heartbeat, the
/// streaming step, the agent run and its critical events), never from literals.
public enum TestContract {
    /// Environment variable naming the profile.
    public static let environmentVariable = "WS1011_PROFILE"

    /// The profile of this test run, or the problem that kept it from loading (a malformed file).
    public static let resolved: (profile: ApplicationProfile, problem: String?) = resolve(
        ProcessInfo.processInfo.environment, staging: StagingProfile.load().profile)

    /// The profile of this test run (`lab` when the named one could not be loaded: ``problem`` says why).
    public static var profile: ApplicationProfile { resolved.profile }

    /// Why the named profile could not be used, when it could not.
    public static var problem: String? { resolved.problem }

    /// `WS1011_PROFILE`, else the staging profile's `applicationProfile`, else `lab`.
    public static func resolve(_ environment: [String: String], staging: StagingProfile?) -> (profile: ApplicationProfile, problem: String?)
    {
        let named = environment[environmentVariable]?.trimmingCharacters(in: .whitespaces)
        guard let name = (named?.isEmpty == false ? named : nil) ?? staging?.applicationProfile else { return (.lab, nil) }
        do {
            return (try ProfileLoader.resolve(name), nil)
        } catch {
            return (.lab, "\(environmentVariable): \(error.description)")
        }
    }

    // MARK: - What the profile says

    /// The event names of the welcome (empty when the application sends none).
    public static var welcomeTypes: Set<String> { Set(profile.welcome?.anyOf.map(\.type) ?? []) }

    /// Whether `event` is one of the welcome's shapes.
    public static func isWelcome(_ event: ReceivedEvent) -> Bool {
        let message = ProfileMessage.decode(event.text, envelope: profile.envelope)
        return profile.welcome?.anyOf.contains(where: message.matches) ?? false
    }

    /// The application heartbeat as (send, expect), when the profile has a message heartbeat.
    public static var heartbeat: (send: String, expect: String)? {
        if case .message(let send, let expect, _) = profile.heartbeat { return (send, expect) }
        return nil
    }

    /// The first conversation step of the agent run (`agent-events`), when the profile has one.
    public static var agentRun: ApplicationProfile.ConversationStep? { profile.conversation.first { $0.step == .agentEvents } }

    /// The first streaming step (chunks until a terminal event), when the profile has one.
    public static var stream: ApplicationProfile.ConversationStep? { profile.conversation.first { $0.expect.chunks != nil } }

    /// The events whose absence is a failure (the agent run's five, for `lab` and `netra`).
    public static var criticalEvents: [String] { profile.criticalEvents }

    /// The subprotocol the server is expected to select when `token` travels by subprotocol (`nil`: none, or any).
    public static func expectedSubprotocol(token: String) -> String? {
        switch profile.auth.selects {
        case .fixed(let name): return name
        case .tokenEntry:
            return profile.auth.subprotocols.first(where: ProfileTemplate.carriesToken).map { ProfileTemplate.render($0, token: token) }
        case .none, .any: return nil
        }
    }

    // MARK: - Sending

    /// Sends `step`'s message in the profile's envelope (templates filled with `token`).
    public static func send(_ connection: WebSocketConnection, _ step: ApplicationProfile.ConversationStep, token: String? = nil) async {
        await connection.send(text: ProfileMessage.encode(step.send, envelope: profile.envelope, token: token))
    }

    /// Sends the event `type` with `payload` in the profile's envelope (payload values: strings, numbers, booleans).
    public static func send(_ connection: WebSocketConnection, type: String, payload: [String: any Sendable] = [:]) async {
        let data = (try? JSONSerialization.data(withJSONObject: payload as [String: Any], options: [.sortedKeys])) ?? Data("{}".utf8)
        await connection.send(
            text: ProfileMessage.encode(
                .event(type: type, payloadJSON: String(decoding: data, as: UTF8.self)), envelope: profile.envelope, token: nil))
    }
}
