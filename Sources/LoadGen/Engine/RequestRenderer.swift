import HTTPCodec
import IOCore

/// Writes a compiled step as HTTP/1.1 bytes for one iteration: literal runs are copied,
/// dynamic parts written as digits or saved bytes. No allocation.
struct RequestRenderer {
    let scenario: CompiledScenario

    /// Renders into `chunk`'s writable space; false when it does not fit (nothing is kept).
    func render(
        _ step: CompiledStep, iteration: Iteration, random: inout FastRandom, into chunk: BufferChunk,
        scratch: UnsafeMutableRawBufferPointer
    ) -> Bool {
        var writer = ByteWriter(chunk.writable)
        write(step.head, iteration: iteration, random: &random, into: &writer)
        if step.sendsContentLength {
            writer.write("Content-Length: ")
            if let body = step.body {
                if let length = step.constantBodyLength {
                    writer.writeDecimal(length)
                    writer.write("\r\n\r\n")
                    write(body, iteration: iteration, random: &random, into: &writer)
                } else {
                    // The length comes first: render the body aside, then copy it behind the head.
                    var bodyWriter = ByteWriter(scratch)
                    write(body, iteration: iteration, random: &random, into: &bodyWriter)
                    if bodyWriter.overflowed { return false }
                    writer.writeDecimal(bodyWriter.count)
                    writer.write("\r\n\r\n")
                    writer.write(UnsafeRawBufferPointer(start: scratch.baseAddress, count: bodyWriter.count))
                }
            } else {
                writer.write("0\r\n\r\n")
            }
        } else {
            writer.write("\r\n")
        }
        if writer.overflowed { return false }
        chunk.writerIndex += writer.count
        return true
    }

    /// Bytes the step could need for this iteration (for an oversized chunk).
    func estimatedSize(_ step: CompiledStep, iteration: Iteration) -> Int {
        var size = step.literalBytes
        for part in step.head + (step.body ?? []) {
            switch part {
            case .bytes: break
            case .saved(let slot): size += iteration.saved[slot]?.count ?? 0
            case .userToken(let n): size += token(n, iteration).count
            case .userID(let n): size += user(n, iteration).id.count
            default: size += 24
            }
        }
        return size * 2
    }

    @inline(__always)
    private func user(_ n: Int, _ iteration: Iteration) -> (id: [UInt8], token: [UInt8]) {
        let users = scenario.users
        return users[(iteration.number &* scenario.usersPerIteration &+ n) % users.count]
    }

    @inline(__always)
    private func token(_ n: Int, _ iteration: Iteration) -> [UInt8] { user(n, iteration).token }

    private func write(_ parts: [RenderPart], iteration: Iteration, random: inout FastRandom, into writer: inout ByteWriter) {
        for part in parts {
            switch part {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { writer.write($0) }
            case .anyDealID:
                let ids = scenario.allDealIDs
                writeSigned(Int(ids[random.below(ids.count)]), into: &writer)
            case .saved(let slot):
                iteration.saved[slot]?.withUnsafeBytes { writer.write($0) }
            case .randomInt(let range):
                let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
                let offset = span == 0 ? random.next() : random.next().multipliedFullWidth(by: span).high
                writeSigned(range.lowerBound &+ Int(truncatingIfNeeded: offset), into: &writer)
            case .userID(let n):
                user(n, iteration).id.withUnsafeBytes { writer.write($0) }
            case .userToken(let n):
                token(n, iteration).withUnsafeBytes { writer.write($0) }
            case .iteration:
                writer.writeDecimal(iteration.number)
            }
        }
    }

    @inline(__always)
    private func writeSigned(_ value: Int, into writer: inout ByteWriter) {
        if value < 0 {
            writer.write(byte: UInt8(ascii: "-"))
            writer.writeDecimal(value == Int.min ? Int.max : -value)
        } else {
            writer.writeDecimal(value)
        }
    }
}
