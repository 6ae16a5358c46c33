import HTTPCodec
import IOCore

/// Gives every request an id: the client's `X-Request-Id` when it is 1–64 bytes of
/// `[A-Za-z0-9._:-]`, otherwise `<instance>-<loop>-<sequence>`. The connection echoes it
/// in the response's `X-Request-Id`; logs and problem bodies carry it.
public struct RequestIDMiddleware: Middleware {
    /// Counters are a cache line apart so loops do not share lines.
    private static let counterStride = 8
    private let instance: String
    private let sequences: SingleWriterCounters
    private let loopCount: Int

    /// - Parameters:
    ///   - loopCount: loops that will run requests (each keeps its own sequence).
    ///   - instance: distinguishes this process in generated ids; random hex by default.
    public init(loopCount: Int, instance: String? = nil) {
        self.loopCount = loopCount
        self.instance = instance ?? String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)
        self.sequences = SingleWriterCounters(count: max(loopCount, 1) * Self.counterStride)
    }

    public func willHandle(_ request: Request, context: inout RequestContext) throws -> Response? {
        if let incoming = request.headers["x-request-id"],
            let id = incoming.withUnsafeBytes({ RequestID(validating: $0) })
        {
            context.requestID = id
            return nil
        }
        let loop = context.loop.index
        let slot = (loop % max(loopCount, 1)) * Self.counterStride
        sequences.add(1, at: slot)
        let sequence = sequences.value(at: slot)
        var instance = instance
        context.requestID = instance.withUTF8 { prefix in
            RequestID { writer in
                writer.write(UnsafeRawBufferPointer(prefix))
                writer.write("-")
                writer.writeDecimal(loop)
                writer.write("-")
                writer.writeHexadecimal(sequence)
            }
        }
        return nil
    }
}
