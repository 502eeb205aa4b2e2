extension ProbeOptions {
    /// How a front end spells the options that ``ProbeOptions/plan(for:)`` can refuse, so that its errors name
    /// what the user wrote: `--connections` on the command line, `connections` in an exporter module.
    public struct Names: Sendable, Equatable {
        /// ``ProbeOptions/profile``.
        public var profile: String
        /// ``ProbeOptions/connections``.
        public var connections: String
        /// How to ask for a fleet, in an error about a fleet option without one (`--connections N`).
        public var fleetRequest: String
        /// ``ProbeOptions/fleetHold``.
        public var hold: String
        /// ``ProbeOptions/instanceHeader``.
        public var instanceHeader: String
        /// ``ProbeOptions/messageSize``.
        public var messageSize: String
        /// ``ProbeOptions/http2``.
        public var http2: String
        /// ``ProbeOptions/http2Check`` turned off.
        public var noHTTP2Check: String
        /// ``ProbeOptions/authChannels``.
        public var authChannels: String
        /// ``ProbeOptions/authChannelMatrix`` turned off.
        public var noAuthMatrix: String
        /// ``ProbeOptions/credentialChannel``.
        public var credentialChannel: String

        /// Names for every option.
        public init(
            profile: String, connections: String, fleetRequest: String, hold: String, instanceHeader: String, messageSize: String,
            http2: String,
            noHTTP2Check: String, authChannels: String, noAuthMatrix: String, credentialChannel: String
        ) {
            self.profile = profile
            self.connections = connections
            self.fleetRequest = fleetRequest
            self.hold = hold
            self.instanceHeader = instanceHeader
            self.messageSize = messageSize
            self.http2 = http2
            self.noHTTP2Check = noHTTP2Check
            self.authChannels = authChannels
            self.noAuthMatrix = noAuthMatrix
            self.credentialChannel = credentialChannel
        }

        /// `ws1011 diagnose`'s flags.
        public static let commandLine = Names(
            profile: "--profile", connections: "--connections", fleetRequest: "--connections N", hold: "--hold",
            instanceHeader: "--instance-header",
            messageSize: "--message-size", http2: "--http2", noHTTP2Check: "--no-h2", authChannels: "--auth-channels",
            noAuthMatrix: "--no-auth-matrix", credentialChannel: "the credential channel")

        /// The fields of an exporter module (`ws1011 exporter --config`); the options a module does not have keep the
        /// command line's spelling (a module never sets them).
        public static let exporterModule: Names = {
            var names = commandLine
            names.profile = "profile"
            names.connections = "connections"
            names.fleetRequest = "connections"
            names.hold = "hold"
            names.instanceHeader = "instanceHeader"
            names.noAuthMatrix = "authMatrix false"
            return names
        }()

        /// The fields of a scenario file's `probe` object; the options a scenario does not have keep the command
        /// line's spelling (a scenario never sets them).
        public static let scenarioFile: Names = {
            var names = commandLine
            names.profile = "probe.profile"
            names.messageSize = "probe.messageBytes"
            names.noAuthMatrix = "probe.authChannels false"
            names.credentialChannel = "probe.credential"
            return names
        }()
    }
}
