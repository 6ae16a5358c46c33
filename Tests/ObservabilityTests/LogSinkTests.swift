import CLinux
import Foundation
import IOCore
import Observability
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A deterministic payload with characters that need escaping and multi-byte UTF-8.
private func payload(source: Int, sequence: Int) -> String {
    let palette: [Character] = ["a", "b", "\"", "\\", "\n", "é", "😀", "\u{01}", " ", "z", "€", "\t"]
    let length = (sequence &* 37 &+ source &* 11) % 121
    return String((0..<length).map { palette[($0 &+ sequence &+ source) % palette.count] })
}

/// Logs one numbered line with fields the test can check.
private func logNumbered(_ sink: LogSink, source: Int, sequence: Int) {
    sink.log(level: "info", capacity: 2048) { line in
        line.field("src", source)
        line.field("seq", sequence)
        line.field("loop", EventLoop.currentIndex ?? -1)
        line.field("payload", payload(source: source, sequence: sequence))
    }
}

/// A raw line of exactly `size` bytes (at least 2), ending with a newline.
private func rawLine(_ number: Int, size: Int) -> [UInt8] {
    var bytes = Array("L\(number):".utf8)
    if bytes.count > size - 1 { bytes = Array(bytes.prefix(size - 1)) }
    bytes += [UInt8](repeating: UInt8(ascii: "x"), count: size - 1 - bytes.count)
    bytes.append(0x0A)
    return bytes
}

private func write(_ sink: LogSink, _ line: [UInt8]) {
    line.withUnsafeBytes { sink.write($0) }
}

/// Splits raw lines (`L<number>:...\n`) into two streams by their number.
private func split(_ bytes: [UInt8], first isFirst: (Int) -> Bool) -> ([UInt8], [UInt8]) {
    var first: [UInt8] = []
    var second: [UInt8] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == 0x0A {
        let line = bytes[start...index]
        let number = Int(String(decoding: line.dropFirst().prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)) ?? -1
        if isFirst(number) { first += line } else { second += line }
        start = index + 1
    }
    second += bytes[start...]  // a partial last line counts against the second stream
    return (first, second)
}

/// A pipe as a sink's output, so the test controls when the writer can make progress.
private final class TestPipe: @unchecked Sendable {
    let readEnd: Int32
    let writeEnd: Int32
    private var writeEndOpen = true

    init() throws {
        var fds: [Int32] = [0, 0]
        try #require(gb_pipe_cloexec(&fds) == 0)  // close-on-exec: a process another test spawns must not hold the write end
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        close(readEnd)
        if writeEndOpen { close(writeEnd) }
    }

    /// Blocks until the writer has written at least one byte.
    func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return read(readEnd, &byte, 1) == 1 ? byte : nil
    }

    /// Reads everything on a plain thread until the write end is closed.
    func startReader(initial: [UInt8]) -> Reader {
        let box = ThreadBox(initial)
        let readEnd = readEnd
        let thread = PlainThread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
                if count <= 0 { break }
                box.value += buffer[0..<count]
            }
        }
        return Reader(pipe: self, box: box, thread: thread)
    }

    struct Reader {
        let pipe: TestPipe
        let box: ThreadBox<[UInt8]>
        let thread: PlainThread

        /// Closes the write end (a sink never closes its output), waits for EOF, returns the bytes.
        func finish() -> [UInt8] {
            pipe.closeWriteEnd()
            thread.join()
            return box.value
        }
    }

    private func closeWriteEnd() {
        if writeEndOpen {
            close(writeEnd)
            writeEndOpen = false
        }
    }
}

@Suite struct LogSinkTests {
    /// Plain threads (the shared queue) and two event loop threads (their own queues) log at
    /// the same time; every line arrives once, whole, valid JSON, in its producer's order.
    @Test func linesFromPlainThreadsAndLoopThreadsArriveCompleteAndInOrder() async throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 2, bytesPerQueue: 1 << 22, output: output.fd, interval: .milliseconds(1))
        sink.start()
        defer { sink.shutdown() }
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }

        let perProducer = 3000
        let threadSources = [0, 1, 2]
        let threads = threadSources.map { source in
            PlainThread {
                for sequence in 0..<perProducer { logNumbered(sink, source: source, sequence: sequence) }
            }
        }
        // Loop 0 logs through `execute` (half) and `submit` (half); loop 1 through `submit`.
        let loop0 = group.loops[0]
        let loop1 = group.loops[1]
        loop0.execute {
            for sequence in 0..<perProducer / 2 { logNumbered(sink, source: 100, sequence: sequence) }
        }
        async let first: Void = loop0.submit {
            for sequence in perProducer / 2..<perProducer { logNumbered(sink, source: 100, sequence: sequence) }
        }
        async let second: Void = loop1.submit {
            for sequence in 0..<perProducer { logNumbered(sink, source: 101, sequence: sequence) }
        }
        try await first
        try await second
        for thread in threads { thread.join() }

        #expect(sink.flush())
        #expect(sink.droppedLines == 0)

        let (lines, endsWithNewline) = output.lines()
        #expect(endsWithNewline)
        #expect(lines.count == perProducer * 5)
        var seen: [Int: [Int]] = [:]
        var invalid = 0
        for line in lines {
            guard let object = parseJSONObject(line),
                  let source = (object["src"] as? NSNumber)?.intValue,
                  let sequence = (object["seq"] as? NSNumber)?.intValue,
                  let loop = (object["loop"] as? NSNumber)?.intValue,
                  let text = object["payload"] as? String
            else {
                invalid += 1
                if invalid < 5 { Issue.record("not a complete log line: \(String(decoding: line, as: UTF8.self))") }
                continue
            }
            seen[source, default: []].append(sequence)
            #expect(object["level"] as? String == "info")
            #expect(object["truncated"] == nil)
            #expect(Array(text.utf8) == Array(payload(source: source, sequence: sequence).utf8), "src \(source) seq \(sequence)")
            let expectedLoop = switch source {
            case 100: 0
            case 101: 1
            default: -1
            }
            #expect(loop == expectedLoop, "src \(source) seq \(sequence)")
        }
        #expect(invalid == 0)
        for source in threadSources + [100, 101] {
            #expect(firstDifference(seen[source] ?? [], Array(0..<perProducer)) == nil, "producer \(source)")
        }
    }

    /// Each loop thread has a queue of its own: filling the shared queue does not make loop
    /// threads drop, and filling one loop's queue does not affect another.
    @Test func loopThreadsHaveTheirOwnQueues() async throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 2, bytesPerQueue: 1024, output: output.fd, interval: .milliseconds(1))
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }

        // Ten 100-byte lines fill 1000 of the 1024 bytes; the eleventh does not fit.
        let plain = PlainThread {
            for number in 0..<11 { write(sink, rawLine(number, size: 100)) }
        }
        plain.join()
        #expect(sink.droppedLines == 1)
        for (index, loop) in group.loops.enumerated() {
            let base = 100 * (index + 1)
            try await loop.submit {
                for number in 0..<10 { write(sink, rawLine(base + number, size: 100)) }
            }
            #expect(sink.droppedLines == 1 + index, "loop \(index) dropped a line its own queue had room for")
            try await loop.submit { write(sink, rawLine(base + 10, size: 100)) }
            #expect(sink.droppedLines == 2 + index, "loop \(index) queue is not 1024 bytes")
        }

        sink.start()
        defer { sink.shutdown() }
        #expect(sink.flush())
        let written = output.contents()
        // Within a queue the order is kept; the queues may be written in any order.
        #expect(written.count == 30 * 100)
        var byQueue: [Int: [[UInt8]]] = [:]
        for start in stride(from: 0, to: written.count, by: 100) {
            let line = Array(written[start..<min(start + 100, written.count)])
            let number = Int(String(decoding: line.dropFirst().prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)) ?? -1
            byQueue[number / 100, default: []].append(line)
        }
        for queue in 0...2 {
            #expect(byQueue[queue] == (0..<10).map { rawLine(queue * 100 + $0, size: 100) }, "queue \(queue)")
        }
        #expect(byQueue.count == 3)
    }

    /// With a 1024-byte queue and no writer, lines that do not fit are dropped and counted one
    /// by one; once the writer runs, exactly the accepted lines are in the output, in order.
    @Test func droppedLinesCountsExactlyTheLinesThatDidNotFit() throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 0, bytesPerQueue: 1024, output: output.fd, interval: .milliseconds(1))
        var generator = SeededGenerator(seed: 0xD409_0005)
        var used = 0
        var expectedDrops = 0
        var accepted: [UInt8] = []
        for number in 0..<80 {
            let size = number % 9 == 8 ? 1025 : Int.random(in: 2...160, using: &generator)
            let line = rawLine(number, size: size)
            write(sink, line)
            if size <= 1024 - used {
                used += size
                accepted += line
            } else {
                expectedDrops += 1
            }
            #expect(sink.droppedLines == expectedDrops, "line \(number) of \(size) bytes, \(used) used")
        }
        #expect(expectedDrops > 40)
        #expect(used > 1024 - 160)
        // A full LogLine that does not fit is dropped too.
        sink.log(level: "info") { $0.field("filler", String(repeating: "y", count: 200)) }
        #expect(sink.droppedLines == expectedDrops + 1)

        // Nobody drains yet: flush gives up, nothing is written.
        #expect(!sink.flush(timeout: .milliseconds(30)))
        #expect(output.contents().isEmpty)

        sink.start()
        defer { sink.shutdown() }
        #expect(sink.flush())
        #expect(output.contents() == accepted)

        // With the queue drained, lines fit again and the drop count stays.
        let later = rawLine(999, size: 1000)
        write(sink, later)
        #expect(sink.flush())
        #expect(sink.droppedLines == expectedDrops + 1)
        #expect(output.contents() == accepted + later)
    }

    /// Deterministic version of the shutdown guarantee: the writer is held inside `write(2)`
    /// on a full pipe while more lines are queued, then `shutdown()` is called; everything
    /// queued must still come out before `shutdown()` returns.
    @Test func shutdownWritesLinesQueuedWhileTheWriterWasBusy() async throws {
        let pipe = try TestPipe()
        let sink = LogSink(loopCount: 1, bytesPerQueue: 1 << 20, output: pipe.writeEnd, interval: .milliseconds(1))
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]

        // A: more than a pipe holds, queued on the loop's queue before the writer starts, so
        // the writer's first pass takes all of it and blocks in write(2) as nobody reads yet.
        // (A is on the loop's queue, not the shared one: see `aPlainThreadDoesNotBlockWhileTheWriterIsStuck`.)
        let lineA = (0..<400).map { rawLine($0, size: 500) }
        try await loop.submit { for line in lineA { write(sink, line) } }
        sink.start()
        let first = try #require(pipe.readByte())  // the writer has taken A and is writing it

        // B and C: queued while the writer is stuck in A, from this thread (shared queue) and
        // from the loop thread (its own queue, behind A).
        let lineB = (1000..<1100).map { rawLine($0, size: 200) }
        for line in lineB { write(sink, line) }
        let lineC = (2000..<2100).map { rawLine($0, size: 150) }
        try await loop.submit { for line in lineC { write(sink, line) } }
        #expect(sink.droppedLines == 0)

        let reader = pipe.startReader(initial: [first])
        sink.shutdown()
        let output = reader.finish()  // closes the write end (the sink never does) and joins

        // The two queues may interleave line-wise, but each keeps its order, every byte arrives.
        let expectedLoop = (lineA + lineC).flatMap { $0 }
        let expectedShared = lineB.flatMap { $0 }
        #expect(output.count == expectedLoop.count + expectedShared.count)
        let (loopBytes, sharedBytes) = split(output) { $0 < 1000 || $0 >= 2000 }
        #expect(firstDifference(loopBytes, expectedLoop) == nil)
        #expect(firstDifference(sharedBytes, expectedShared) == nil)
    }

    /// `write` from a thread that is not a loop thread must not wait for the output: the
    /// queues exist so that a slow or stalled output costs dropped lines, not stalled threads
    /// (swift-log calls come from any thread, including Swift concurrency's few pool threads).
    /// (Once a bug: the writer held the shared ring's mutex during `write(2)`.)
    @Test func aPlainThreadDoesNotBlockWhileTheWriterIsStuck() throws {
        let pipe = try TestPipe()
        let sink = LogSink(loopCount: 0, bytesPerQueue: 1 << 20, output: pipe.writeEnd, interval: .milliseconds(1))
        // A: more than a pipe holds, on the shared queue; the writer takes it all and blocks.
        let lineA = (0..<400).map { rawLine($0, size: 500) }
        for line in lineA { write(sink, line) }
        sink.start()
        let first = try #require(pipe.readByte())  // the writer is now inside write(2) with A

        let finished = Atomic<Bool>(false)
        let lineB = (1000..<1100).map { rawLine($0, size: 200) }
        let producer = PlainThread {
            for line in lineB { write(sink, line) }
            finished.store(true, ordering: .releasing)
        }
        // Nothing here takes long unless `write` blocks; the deadline only bounds a failure.
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while !finished.load(ordering: .acquiring), ContinuousClock.now < deadline { usleep(1_000) }
        let finishedWhileOutputStalled = finished.load(ordering: .acquiring)

        // Unblock the output (this also releases a blocked producer), then check the bytes.
        let reader = pipe.startReader(initial: [first])
        producer.join()
        sink.shutdown()
        let output = reader.finish()
        #expect(firstDifference(output, (lineA + lineB).flatMap { $0 }) == nil)
        #expect(sink.droppedLines == 0)

        #expect(finishedWhileOutputStalled, "write() from a plain thread blocked for 5 s while the output was stalled")
    }

    /// `shutdown()` writes everything queued before it returns, even while the writer sleeps.
    @Test func shutdownReturnsAfterWritingEverythingQueued() async throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 1, bytesPerQueue: 1 << 20, output: output.fd, interval: .milliseconds(200))
        sink.start()
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }

        let perProducer = 2000
        let plain = PlainThread {
            for sequence in 0..<perProducer { logNumbered(sink, source: 7, sequence: sequence) }
        }
        try await group.loops[0].submit {
            for sequence in 0..<perProducer { logNumbered(sink, source: 100, sequence: sequence) }
        }
        plain.join()
        sink.shutdown()

        #expect(sink.droppedLines == 0)
        let (lines, endsWithNewline) = output.lines()
        #expect(endsWithNewline)
        #expect(lines.count == 2 * perProducer)
        var seen: [Int: [Int]] = [:]
        for line in lines {
            let object = try #require(parseJSONObject(line), "\(String(decoding: line, as: UTF8.self))")
            let source = try #require((object["src"] as? NSNumber)?.intValue)
            let sequence = try #require((object["seq"] as? NSNumber)?.intValue)
            seen[source, default: []].append(sequence)
        }
        #expect(firstDifference(seen[7] ?? [], Array(0..<perProducer)) == nil)
        #expect(firstDifference(seen[100] ?? [], Array(0..<perProducer)) == nil)
        // Nothing is left behind, so a flush after shutdown has nothing to wait for.
        #expect(sink.flush(timeout: .milliseconds(100)))
    }
}
