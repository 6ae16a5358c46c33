public import IOCore

extension BodyWriter {
    /// Writes bytes with a `BodyWriter` on `loop`'s buffers and returns a copy of them (e.g. a
    /// representation to cache, rendered outside a request); the pooled buffer used for
    /// writing goes straight back to the pool.
    public static func render(on loop: EventLoop, _ write: (inout BodyWriter) -> Void) -> [UInt8] {
        var writer = BodyWriter(chunk: loop.buffers.take(), pool: loop.buffers)
        write(&writer)
        var chunk: BufferChunk? = writer.finish()
        let bytes = chunk.map { Array($0.readable) } ?? []
        loop.buffers.give(&chunk)
        return bytes
    }
}
