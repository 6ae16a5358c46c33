import IOCore
import Testing

@Suite struct BufferPoolTests {
    @Test func recyclesChunksAndCountsThem() {
        let pool = BufferPool(chunkSize: 1024, preallocate: 2, maxFree: 4)
        #expect(pool.freeCount == 2 && pool.inUse == 0)
        var first: BufferChunk? = pool.take()
        let firstIdentity = ObjectIdentifier(first!)
        #expect(pool.inUse == 1 && pool.freeCount == 1)
        first!.append("hello")
        pool.give(&first)
        #expect(first == nil)
        #expect(pool.inUse == 0 && pool.freeCount == 2)
        let again = pool.take()
        #expect(ObjectIdentifier(again) == firstIdentity)
        #expect(again.readableBytes == 0, "a recycled chunk comes back empty")
    }

    @Test func aChunkStillReferencedElsewhereIsNotReused() {
        let pool = BufferPool(chunkSize: 64, preallocate: 0, maxFree: 4)
        var chunk: BufferChunk? = pool.take()
        let kept = chunk!
        pool.give(&chunk)
        #expect(pool.escaped == 1)
        #expect(pool.freeCount == 0)
        #expect(pool.inUse == 0)
        kept.append("still mine")
        #expect(kept.readableBytes == 10)
    }

    @Test func keepsAtMostMaxFree() {
        let pool = BufferPool(chunkSize: 64, preallocate: 0, maxFree: 1)
        var a: BufferChunk? = pool.take()
        var b: BufferChunk? = pool.take()
        pool.give(&a)
        pool.give(&b)
        #expect(pool.freeCount == 1)
        #expect(pool.allocated == 1)
    }

    @Test func appendRefusesWhatDoesNotFit() {
        let pool = BufferPool(chunkSize: 8, preallocate: 0, maxFree: 1)
        let chunk = pool.take()
        #expect(chunk.append("12345678"))
        #expect(!chunk.append(byte: 0x39))
        chunk.readerIndex = 6
        chunk.compact()
        #expect(chunk.readableBytes == 2 && chunk.writableBytes == 6)
        #expect(Array(chunk.readable) == Array("78".utf8))
    }

    @Test func unpooledChunksDoNotDisturbTheFigures() {
        let pool = BufferPool(chunkSize: 64, preallocate: 1, maxFree: 2)
        var big: BufferChunk? = BufferChunk(unpooledCapacity: 1 << 20)
        pool.give(&big)
        #expect(big == nil)
        #expect(pool.inUse == 0 && pool.freeCount == 1 && pool.escaped == 0)
    }
}
