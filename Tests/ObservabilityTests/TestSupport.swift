import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A value shared with a plain thread; `join` orders the accesses.
final class ThreadBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// A plain POSIX thread (not a Swift concurrency thread, not an event loop thread).
struct PlainThread {
    private let thread: pthread_t

    init(_ body: @escaping @Sendable () -> Void) {
        final class Context { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let context = Unmanaged.passRetained(Context(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
            context.body()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        self.thread = thread
    }

    func join() {
        pthread_join(thread, nil)
    }
}

/// A temporary file (already unlinked) to use as a log sink's output.
final class TemporaryOutput: @unchecked Sendable {
    let fd: Int32

    init() {
        var template = Array("/tmp/observability-tests-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "mkstemp failed: \(errno)")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Everything written to the file so far.
    func contents() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            precondition(count >= 0, "pread failed: \(errno)")
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
            offset += off_t(count)
        }
        return result
    }

    /// The file split into lines (each without its newline); the flag tells whether the
    /// file ended with a newline (no partial last line).
    func lines() -> (lines: [[UInt8]], endsWithNewline: Bool) {
        let bytes = contents()
        var lines: [[UInt8]] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append(Array(bytes[start..<index]))
            start = index + 1
        }
        if start < bytes.count { lines.append(Array(bytes[start...])) }
        return (lines, bytes.isEmpty || bytes.last == 0x0A)
    }
}

/// Parses `bytes` as one JSON object, or nil when it is not valid JSON (or not an object).
func parseJSONObject(_ bytes: [UInt8]) -> [String: Any]? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return nil }
    return object as? [String: Any]
}

/// A small deterministic generator (SplitMix64), so failures can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random strings biased towards what JSON escaping must handle: every control
/// character, quote, backslash, DEL, and 2-, 3- and 4-byte UTF-8 scalars.
///
/// U+FEFF is left out on purpose: swift-corelibs-foundation's JSONSerialization drops a
/// U+FEFF that starts a JSON string or follows an escape sequence (the JSON text
/// `"a\n<U+FEFF>b"` decodes to "a\nb"), which would be blamed on the escaper. `JSONEscapingTests` checks
/// U+FEFF passes through byte for byte instead.
func randomTrickyString(length: Int, using generator: inout SeededGenerator) -> String {
    let specials: [Unicode.Scalar] = ["\"", "\\", "/", "\u{7F}", "é", "ß", "€", "\u{2028}", "\u{2029}", "\u{FEFE}", "😀", "𝄞", "\u{10FFFF}"]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<length {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0, 1: scalars.append(Unicode.Scalar(UInt8.random(in: 0..<0x20, using: &generator)))
        case 2, 3: scalars.append(specials.randomElement(using: &generator)!)
        case 4:
            // Any non-surrogate scalar.
            var value = UInt32.random(in: 0x80...0x10FFFF, using: &generator)
            if (0xD800...0xDFFF).contains(value) || value == 0xFEFF { value = 0xE000 }
            scalars.append(Unicode.Scalar(value)!)
        default: scalars.append(Unicode.Scalar(UInt8.random(in: 0x20..<0x7F, using: &generator)))
        }
    }
    return String(scalars)
}

/// Where two long sequences first differ, or nil when they are equal. Used instead of
/// `#expect(a == b)` on large arrays, whose failure diff would take minutes to compute.
func firstDifference<Element: Equatable>(_ actual: [Element], _ expected: [Element]) -> String? {
    for index in 0..<min(actual.count, expected.count) where actual[index] != expected[index] {
        return "index \(index): \(actual[index]) instead of \(expected[index])"
            + " (counts \(actual.count) and \(expected.count))"
    }
    return actual.count == expected.count ? nil : "count \(actual.count) instead of \(expected.count)"
}
