import HTTPCodec
import IOCore

extension HTTP1Connection: BodyStreamSink {
    /// Runs the producer of a streamed body in a Task on this loop.
    func startStreaming(_ stream: BodyStream, trailers: ResponseTrailers, chunked: Bool, keepAlive: Bool) {
        machine.streamStarted()
        streamIsChunked = chunked
        streamTrailers = trailers
        // Send the head now; the producer's first write waits for it if the transport is full.
        _ = flush()
        guard machine.state == .streaming else { return }
        let writer = BodyStreamWriter(sink: self)
        handlerTask = Task(executorPreference: loop) {
            do {
                try await stream.produce(writer)
                try await self.endStream(chunked: chunked, keepAlive: keepAlive)
            } catch {
                // The status line is gone already: all that is left is to cut the body short,
                // which a client sees as an incomplete chunked body.
                self.close()
            }
        }
    }

    func writeBodyPart(_ part: ResponseBody) async throws {
        guard machine.state == .streaming else { throw StreamClosedError() }
        if outbound.hasPending { try await waitUntilFlushed() }
        guard machine.state == .streaming, let length = part.knownLength, length > 0 else {
            if machine.state != .streaming { throw StreamClosedError() }
            return
        }
        if streamIsChunked {
            let sizeLine = loop.buffers.take()
            var writer = ByteWriter(sizeLine.writable)
            writer.writeHexadecimal(length)
            writer.write("\r\n")
            sizeLine.writerIndex = writer.count
            outbound.head = sizeLine
            outbound.tail = "\r\n"
        }
        outbound.body = part
        if !flush() { try await waitUntilFlushed() }
    }

    func setTrailers(_ trailers: ResponseTrailers) async throws {
        guard machine.state == .streaming else { throw StreamClosedError() }
        streamTrailers = trailers
    }

    private func endStream(chunked: Bool, keepAlive: Bool) async throws {
        guard machine.state == .streaming else { throw StreamClosedError() }
        if outbound.hasPending { try await waitUntilFlushed() }
        handlerTask = nil
        if chunked {
            if streamTrailers.isEmpty {
                outbound.queueLiteral("0\r\n\r\n")
            } else {
                queueTrailerSection(streamTrailers)
            }
        }
        streamTrailers = ResponseTrailers()
        machine.streamFinished()
        finishRequest(keepAlive: keepAlive)
        if !isDriving { drive() }
    }

    /// Suspends until the queued bytes have left (or throws when the connection closes).
    private func waitUntilFlushed() async throws {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            if machine.state == .closed {
                continuation.resume(throwing: StreamClosedError())
            } else if !outbound.hasPending {
                continuation.resume()
            } else {
                writeWaiter = continuation
            }
        }
    }
}
