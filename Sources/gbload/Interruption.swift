import Foundation
import LoadGen
import UnixSignals

/// Ctrl-C (SIGINT) or SIGTERM during a run: put back what the run changed (the sandbox's
/// knobs, the run's deals), then exit 130 or 143 (128 + the signal), as shells expect of an
/// interrupted program. A second signal while that runs exits at once, cleaning up nothing.
enum Interruption {
    /// Traps both signals until the returned task is cancelled. `first` runs before the cleanup
    /// (ends the progress line).
    static func watch(_ cleanup: RunCleanup, first: @escaping @Sendable () -> Void) async -> Task<Void, Never> {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return Task {
            var interrupted = false
            for await signal in signals {
                let status = 128 + signal.rawValue
                guard !interrupted else {
                    say("interrupted again (\(signal)): exiting without putting back the rest")
                    exit(status)
                }
                interrupted = true
                first()
                say("interrupted (\(signal)): putting back what run \(cleanup.runID) changed")
                Task {
                    let outcome = await cleanup.perform()
                    say("cleanup \(outcome.passed ? "done" : "INCOMPLETE"): \(outcome.detail)")
                    exit(status)
                }
            }
        }
    }

    private static func say(_ text: String) {
        FileHandle.standardError.write(Data("gbload: \(text)\n".utf8))
    }
}
