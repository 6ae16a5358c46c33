@testable import Observability
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Drains `ring` into an array, checking the two pieces add up to what `drain` reports.
private func drainAll(_ ring: ByteRing, wrapped: inout Int) -> [UInt8] {
    var bytes: [UInt8] = []
    var firstCount = 0
    var secondCount = 0
    let taken = ring.drain { first, second in
        firstCount = first.count
        secondCount = second.count
        bytes.append(contentsOf: first)
        bytes.append(contentsOf: second)
    }
    #expect(taken == firstCount + secondCount)
    if secondCount > 0 { wrapped += 1 }
    return bytes
}

private func push(_ ring: ByteRing, _ record: [UInt8]) -> Bool {
    record.withUnsafeBytes { ring.push($0) }
}

@Suite struct ByteRingTests {
    @Test(arguments: [
        (1, 1024), (1000, 1024), (1024, 1024), (1025, 2048), (2047, 2048), (2048, 2048),
        (3000, 4096), (4097, 8192), (100_000, 131_072), (1 << 20, 1 << 20), ((1 << 20) + 1, 1 << 21),
    ])
    func capacityIsRoundedUpToAPowerOfTwo(requested: Int, expected: Int) {
        let ring = ByteRing(capacity: requested)
        #expect(ring.capacity == expected)
        #expect(ring.capacity.nonzeroBitCount == 1)
        #expect(ring.capacity >= requested)
        #expect(ring.pendingBytes == 0)
    }

    @Test func theRoundedCapacityIsUsableInFullAndNoMore() {
        let ring = ByteRing(capacity: 3000)  // rounded to 4096
        #expect(push(ring, [UInt8](repeating: 7, count: 4096)))
        #expect(ring.pendingBytes == 4096)
        #expect(!push(ring, [1]))
        var wrapped = 0
        #expect(drainAll(ring, wrapped: &wrapped) == [UInt8](repeating: 7, count: 4096))
        #expect(!push(ring, [UInt8](repeating: 7, count: 4097)))
    }

    @Test func recordsComeOutInOrderAndByteExactAcrossManyWraps() {
        var generator = SeededGenerator(seed: 0xB17E_0001)
        let ring = ByteRing(capacity: 1024)
        var expected: [UInt8] = []  // accepted records, in order, not yet drained
        var received: [UInt8] = []
        var expectedTotal: [UInt8] = []
        var pending = 0
        var wraps = 0
        var refusals = 0
        for round in 0..<40_000 {
            let size = Int.random(in: 0...300, using: &generator)
            let record = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let fits = size <= ring.capacity - pending
            let accepted = push(ring, record)
            #expect(accepted == fits, "round \(round): size \(size), pending \(pending)")
            if accepted {
                expected += record
                pending += size
            } else {
                refusals += 1
            }
            #expect(ring.pendingBytes == pending)
            if Int.random(in: 0..<4, using: &generator) == 0 {
                let drained = drainAll(ring, wrapped: &wraps)
                #expect(firstDifference(drained, expected) == nil, "round \(round)")
                received += drained
                expectedTotal += expected
                expected.removeAll(keepingCapacity: true)
                pending = 0
                #expect(ring.pendingBytes == 0)
            }
        }
        received += drainAll(ring, wrapped: &wraps)
        expectedTotal += expected
        #expect(firstDifference(received, expectedTotal) == nil)
        // The pattern must really have exercised the wrap point and the refusals.
        #expect(wraps > 100)
        #expect(refusals > 100)
        #expect(received.count > 100 * ring.capacity)
    }

    @Test func aRecordLargerThanTheFreeSpaceIsRefusedWhole() {
        let ring = ByteRing(capacity: 1024)
        var wraps = 0
        // Move the positions close to the end of the storage so the next record would wrap.
        #expect(push(ring, [UInt8](repeating: 0xAA, count: 900)))
        _ = drainAll(ring, wrapped: &wraps)
        let first = (0..<600).map { UInt8(truncatingIfNeeded: $0) }
        #expect(push(ring, first))  // wraps: 124 bytes at the end, 476 at the start
        let tooBig = [UInt8](repeating: 0x55, count: 425)  // free is 424
        #expect(!push(ring, tooBig))
        #expect(ring.pendingBytes == 600)
        let exact = [UInt8](repeating: 0x66, count: 424)
        #expect(push(ring, exact))
        #expect(ring.pendingBytes == 1024)
        #expect(!push(ring, [0x77]))
        #expect(drainAll(ring, wrapped: &wraps) == first + exact)
        #expect(wraps == 1)
        #expect(ring.pendingBytes == 0)
        // Nothing of the refused records is visible later either.
        #expect(push(ring, [1, 2, 3]))
        #expect(drainAll(ring, wrapped: &wraps) == [1, 2, 3])
        #expect(drainAll(ring, wrapped: &wraps) == [])
    }

    @Test func aRecordLargerThanTheWholeRingIsRefusedEvenWhenEmpty() {
        let ring = ByteRing(capacity: 1024)
        #expect(!push(ring, [UInt8](repeating: 1, count: 1025)))
        #expect(ring.pendingBytes == 0)
        var wraps = 0
        #expect(drainAll(ring, wrapped: &wraps) == [])
        #expect(push(ring, []))
        #expect(ring.pendingBytes == 0)
    }

    /// One producer thread and one consumer thread move ~1,000,000 numbered records. A record
    /// is `[length: UInt16][sequence: UInt32][payload: length bytes derived from sequence]`.
    @Test func concurrentProducerAndConsumerSeeEveryAcceptedRecordOnceInOrder() {
        let total = 1_000_000
        let ring = ByteRing(capacity: 4096)
        let producerDone = Atomic<Bool>(false)
        let accepted = ThreadBox([Bool](repeating: false, count: total))
        let refusals = ThreadBox(0)
        let received = ThreadBox([UInt32]())
        let problems = ThreadBox([String]())

        let consumer = PlainThread {
            var sequences: [UInt32] = []
            sequences.reserveCapacity(total)
            var bad: [String] = []
            var chunk: [UInt8] = []
            while true {
                let finished = producerDone.load(ordering: .acquiring)
                chunk.removeAll(keepingCapacity: true)
                let taken = ring.drain { first, second in
                    chunk.append(contentsOf: first)
                    chunk.append(contentsOf: second)
                }
                if taken == 0 {
                    if finished { break }
                    sched_yield()
                    continue
                }
                // Every drain must hold whole records only.
                var offset = 0
                while offset < chunk.count, bad.count < 10 {
                    guard chunk.count - offset >= 6 else {
                        bad.append("partial header at \(offset) of \(chunk.count)")
                        break
                    }
                    let length = Int(chunk[offset]) | Int(chunk[offset + 1]) << 8
                    var sequence: UInt32 = 0
                    for k in 0..<4 { sequence |= UInt32(chunk[offset + 2 + k]) << (8 * k) }
                    guard chunk.count - offset - 6 >= length else {
                        bad.append("partial record \(sequence)")
                        break
                    }
                    for k in 0..<length where chunk[offset + 6 + k] != UInt8(truncatingIfNeeded: Int(sequence) &* 31 &+ k) {
                        bad.append("payload of \(sequence) differs at \(k)")
                        break
                    }
                    sequences.append(sequence)
                    offset += 6 + length
                }
            }
            received.value = sequences
            problems.value = bad
        }

        let producer = PlainThread {
            var record = [UInt8](repeating: 0, count: 6 + 64)
            var refused = 0
            for sequence in 0..<total {
                let length = (sequence &* 7919) % 65
                record[0] = UInt8(truncatingIfNeeded: length)
                record[1] = UInt8(truncatingIfNeeded: length >> 8)
                for k in 0..<4 { record[2 + k] = UInt8(truncatingIfNeeded: sequence >> (8 * k)) }
                for k in 0..<length { record[6 + k] = UInt8(truncatingIfNeeded: sequence &* 31 &+ k) }
                let ok = record.withUnsafeBytes { ring.push(UnsafeRawBufferPointer(rebasing: $0[0..<(6 + length)])) }
                if ok {
                    accepted.value[sequence] = true
                } else {
                    refused += 1
                    sched_yield()
                }
            }
            refusals.value = refused
            producerDone.store(true, ordering: .releasing)
        }

        producer.join()
        consumer.join()

        #expect(problems.value == [])
        let acceptedSequences = accepted.value.indices.filter { accepted.value[$0] }.map { UInt32($0) }
        #expect(acceptedSequences.count + refusals.value == total)
        #expect(received.value.count == acceptedSequences.count)
        #expect(firstDifference(received.value, acceptedSequences) == nil)
        #expect(!acceptedSequences.isEmpty)
        #expect(ring.pendingBytes == 0)
    }
}
