import Foundation
import WebSocketDiagnosis

/// Prints progress updates on one rewritten terminal line on stderr, and nothing when stderr is not a
/// terminal (so `diagnose … > out.txt` still shows progress, and a log or pipe gets no carriage returns).
public enum TerminalProgress {
    /// A sink that rewrites one line on stderr when stderr is a TTY (`isatty`), or `nil` otherwise
    /// (quiet: a log file or a pipe must not fill with carriage returns).
    /// - Parameter redactor: scrubs every line before it is printed (default: JWT-shaped text only).
    public static func sinkIfTerminal(redactor: Redactor = Redactor()) -> ProbeProgressSink? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { progress in
            // The line may quote a peer (an event name): scrubbed, and made unable to drive the terminal.
            let text = TerminalText.line(redactor.text(progress.line))
            let out = progress.finished ? "\r\u{1B}[K" : "\r\u{1B}[K" + text
            // A plain write: an error (a closed terminal) loses a progress line, never the run.
            let bytes = Array(out.utf8)
            _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }
}
