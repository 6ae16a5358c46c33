import Foundation
import LoadGen

#if canImport(Glibc)
import Glibc
#endif

/// The live progress on stderr (stdout carries the report): one rewritten line on a
/// terminal, a plain line per second otherwise (CI logs).
struct ProgressPrinter: Sendable {
    let line = ProgressLine(isTerminal: isatty(STDERR_FILENO) == 1)

    func show(_ snapshot: ProgressSnapshot) {
        FileHandle.standardError.write(Data(line.render(snapshot).utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data(line.finish().utf8))
    }
}
