import Foundation
import Synchronization
import WebSocketDiagnosis
import WebSocketProbe

/// The one output layer of the CLI: everything written to stdout or stderr goes through here.
///
/// - Every text is scrubbed of the secrets the command knows (registered as soon as the options are
///   parsed), so an error message that quotes a server's answer or a library error cannot print a token.
/// - Control characters are made visible (``TerminalText``): a server cannot drive the terminal.
/// - A closed pipe (`ws1011 diagnose | head -1`) ends output quietly: the command goes on and exits
///   with its own code. A full disk or another write error on stdout is a message on stderr and exit 2.
enum Console {
    private struct State {
        var redactor = Redactor()
        var stdoutClosed = false
    }

    private static let state = Mutex(State())

    /// Ignores SIGPIPE so that a closed pipe is an `EPIPE` from `write`, handled here, not a kill.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Adds secrets to scrub from every later output.
    static func register(secrets: [String]) {
        state.withLock { $0.redactor = $0.redactor.adding(secrets: secrets) }
    }

    /// Adds the secrets a request carries (URL parameters and userinfo, secret headers, token subprotocols).
    static func register(url: String?, headers: [HeaderField] = [], subprotocols: [String] = []) {
        state.withLock { $0.redactor = $0.redactor.adding(url: url, headers: headers, subprotocols: subprotocols) }
    }

    /// Registers the secrets a raw command line may carry, before it is parsed: the values of the
    /// credential options, the word after `Bearer`/`Basic`, every header value, and URL secrets.
    static func register(arguments: [String]) {
        var found: [String] = []
        var redactor = Redactor()
        for (index, argument) in arguments.enumerated() {
            let previous = index > 0 ? arguments[index - 1] : ""
            // `--option=value` and `--option value`.
            var option = previous
            var value = argument
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                option = String(argument[..<eq])
                value = String(argument[argument.index(after: eq)...])
            }
            switch option {
            case "--token", "--secret":
                found.append(value)
            case "--header":
                // The value of any header but the harmless ones; a header without a colon is shown as given.
                if let colon = value.firstIndex(of: ":") {
                    let field = HeaderField(
                        String(value[..<colon]), value[value.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                    redactor = redactor.adding(headers: [field])
                }
            case "--subprotocol":
                redactor = redactor.adding(subprotocols: [value])
            default:
                break
            }
            // An unquoted `Authorization: Bearer TOKEN` splits into words: the one after the scheme is the token.
            if ["bearer", "basic"].contains(previous.lowercased()) { found.append(argument) }
            if argument.contains("://") { redactor = redactor.adding(url: argument) }
        }
        state.withLock { s in
            s.redactor = s.redactor.adding(secrets: found + redactor.knownSecretsAsRegistered)
        }
    }

    /// The redactor with every secret registered so far.
    static var redactor: Redactor { state.withLock { $0.redactor } }

    /// Writes to stderr (a newline is added when missing). Errors writing stderr are ignored: there is
    /// nowhere left to report them.
    static func error(_ text: String) {
        let safe = TerminalText.block(redactor.text(text))
        _ = writeAll(STDERR_FILENO, safe.hasSuffix("\n") ? safe : safe + "\n")
    }

    /// Writes to stdout. After `EPIPE` nothing more is written; on any other error (a full disk) the
    /// command stops with a message and exit 2.
    /// `decorate` adds our own escape sequences (colour) after the text was made safe, so that nothing from a
    /// peer or the user can carry one.
    static func out(_ text: String, decorate: ((String) -> String)? = nil) {
        guard !state.withLock({ $0.stdoutClosed }) else { return }
        var safe = TerminalText.block(redactor.text(text))
        if let decorate { safe = decorate(safe) }
        let errorNumber = writeAll(STDOUT_FILENO, safe)
        guard errorNumber != 0 else { return }
        if errorNumber == EPIPE {
            state.withLock { $0.stdoutClosed = true }
            return
        }
        error(
            "ws1011: error: cannot write to standard output: \(String(cString: strerror(errorNumber))). Free some space or write elsewhere")
        exit(2)
    }

    /// Writes every byte; returns 0, or the `errno` of the write that failed.
    private static func writeAll(_ fd: Int32, _ text: String) -> Int32 {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }
}
