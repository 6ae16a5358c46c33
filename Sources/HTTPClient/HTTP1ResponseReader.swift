package import HTTPCodec
package import IOCore

/// The response side of a client connection, shared by `HTTPClient` and the load generator:
/// reads from the socket into a pooled buffer (an unpooled, larger one for a big answer),
/// feeds `HTTP1ResponseDecoder` and hands over the complete response as views into the buffer.
/// The header table is allocated once, for the reader's life. Loop thread only.
package final class HTTP1ResponseReader {
    /// Why no response came.
    package enum Failure: Error {
        /// What arrived is not a usable response, or the connection ended inside it.
        case response(HTTP1ResponseDecoder.Failure)
        /// Reading failed (reset, or another socket error).
        case transfer(IOError)
    }

    /// The outcome of `read`.
    package enum Outcome {
        /// Nothing more to read now: the readable edge brings the rest.
        case wouldBlock
        case complete(HTTP1ReceivedResponse)
        case failed(Failure)
    }

    private var decoder: HTTP1ResponseDecoder
    private var chunk: BufferChunk?
    private let headerTable: UnsafeMutableBufferPointer<HeaderEntry>
    /// Whether a byte of the current response has arrived: a reused connection that fails
    /// before one was probably closed by the server while idle.
    package private(set) var receivedAny = false

    package init(limits: HTTP1Limits) {
        self.decoder = HTTP1ResponseDecoder(limits: limits)
        self.headerTable = .allocate(capacity: max(1, limits.maxHeaderCount))
        headerTable.initialize(repeating: HeaderEntry(name: .empty, value: .empty))
    }

    deinit {
        headerTable.deallocate()
    }

    /// Gets ready for the answer to a `requestMethod` request; the views of the previous one
    /// end here.
    package func start(requestMethod: HTTPMethod) {
        decoder.reset(requestMethod: requestMethod)
        chunk?.clear()
        receivedAny = false
    }

    /// Reads until the socket would block, the response is complete, or it failed. After a
    /// complete response nothing more is read.
    package func read(from fd: Int32, loop: EventLoop) -> Outcome {
        while true {
            if chunk == nil { chunk = loop.buffers.take() }
            if chunk!.writableBytes == 0 {
                let ceiling = decoder.maxBufferBytes
                guard chunk!.capacity < ceiling else { return .failed(.response(.tooLarge)) }
                grow(to: min(ceiling, chunk!.capacity * 2), loop: loop)
            }
            let buffer = chunk!
            let result: IOResult<Int>
            do {
                result = try Syscall.read(fd, into: buffer.writable)
            } catch {
                return .failed(.transfer(error))
            }
            switch result {
            case .wouldBlock:
                return .wouldBlock
            case .processed(0):
                return outcome(of: decoder.connectionClosed(received: buffer.writerIndex), closing: true)
            case .processed(let count):
                receivedAny = true
                buffer.writerIndex += count
                if let outcome = decodeReceived(loop: loop) { return outcome }
            }
        }
    }

    /// Gives the buffer back to `loop`'s pool (a response handed over stays readable while its
    /// value lives).
    package func releaseBuffer(to loop: EventLoop) {
        loop.buffers.give(&chunk)
    }

    /// Events for what has arrived; nil when the decoder needs more.
    private func decodeReceived(loop: EventLoop) -> Outcome? {
        while true {
            let buffer = chunk!
            let received = UnsafeMutableRawBufferPointer(start: buffer.base, count: buffer.writerIndex)
            let event = decoder.next(received, headers: headerTable)
            switch event {
            case .needMore(let receiveAt):
                buffer.writerIndex = receiveAt
                return nil
            case .head:
                // A Content-Length body goes into one buffer of its size rather than doubling towards it.
                if let expected = decoder.expectedLength, expected > buffer.capacity { grow(to: expected, loop: loop) }
            case .body:
                continue
            case .end, .failed:
                return outcome(of: event, closing: false)
            }
        }
    }

    private func outcome(of event: HTTP1ResponseDecoder.Event, closing: Bool) -> Outcome {
        switch event {
        case .end(let body, let end):
            let buffer = chunk!
            let response = HTTP1ReceivedResponse(
                head: decoder.head!,
                storage: buffer,
                headers: UnsafeBufferPointer(rebasing: headerTable[0..<decoder.head!.headerCount]),
                body: body,
                allowsReuse: !closing && decoder.head!.keepAlive && buffer.writerIndex == end
            )
            return .complete(response)
        case .failed(let failure):
            return .failed(.response(failure))
        case .needMore, .head, .body:
            preconditionFailure("not an outcome: \(event)")
        }
    }

    private func grow(to capacity: Int, loop: EventLoop) {
        guard let old = chunk, old.capacity < capacity else { return }
        let bigger = BufferChunk(unpooledCapacity: capacity)
        bigger.append(old.readable)
        var previous: BufferChunk? = old
        chunk = bigger
        loop.buffers.give(&previous)
    }
}

/// A complete response as views into the reader's buffer: valid until the reader starts on
/// the next response (the buffer itself stays alive while this value does).
package struct HTTP1ReceivedResponse {
    package let head: ResponseHead
    /// The buffer the ranges point into.
    private let storage: BufferChunk
    package let headers: UnsafeBufferPointer<HeaderEntry>
    package let body: ByteRange
    /// Whether the response lets the connection carry another exchange: keep-alive, not
    /// delimited by the close, and nothing received after it (bytes nobody asked for mean the
    /// framing is not to be trusted).
    package let allowsReuse: Bool

    init(head: ResponseHead, storage: BufferChunk, headers: UnsafeBufferPointer<HeaderEntry>, body: ByteRange, allowsReuse: Bool) {
        self.head = head
        self.storage = storage
        self.headers = headers
        self.body = body
        self.allowsReuse = allowsReuse
    }

    /// Every byte received for the response, from its first.
    package var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.base, count: storage.writerIndex)
    }

    /// The body's bytes.
    package var bodyBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(body.start)..<body.end])
    }
}
