import HTTPCodec
import IOCore

extension HTTP1Connection {
    /// Reads once into the buffer. True when bytes arrived; false when there is nothing to
    /// read now (or the connection ended, which this handles).
    func readMore() -> Bool {
        guard mayRead else { return false }
        if chunk == nil { chunk = loop.buffers.take() }
        guard makeRoomToRead() else { return false }
        let buffer = chunk!
        let space = buffer.writableBytes
        let wasEmpty = buffer.readableBytes == 0
        do {
            switch try Syscall.read(fd, into: buffer.writable) {
            case .processed(0):
                mayRead = false
                peerClosedWrite = true
                handleEndOfInput()
                return false
            case .processed(let count):
                buffer.writerIndex += count
                // A short read drained the socket; edge-triggered epoll reports the next arrival.
                if count < space { mayRead = false }
                if wasEmpty && phase == .awaitingHead {
                    timeouts.headerDeadline = loop.now.advanced(by: serverLoop.configuration.headerTimeout)
                }
                return true
            case .wouldBlock:
                mayRead = false
                if buffer.readableBytes == 0 { serverLoop.releaseLater(&chunk) }
                return false
            }
        } catch {
            close()
            return false
        }
    }

    /// The client will send nothing more.
    private func handleEndOfInput() {
        switch phase {
        case .awaitingHead where (chunk?.readableBytes ?? 0) == 0, .lingering:
            close()
        case .awaitingHead, .readingBody:
            // A request cut short: nobody is left to answer.
            close()
        case .handling, .streaming:
            // The response may still be read (the client only half-closed); close after it.
            break
        case .closed:
            break
        }
    }

    /// Ensures the read buffer has free space; false (and the connection answered or
    /// closed) when it cannot.
    private func makeRoomToRead() -> Bool {
        guard chunk!.writableBytes == 0 else { return true }
        switch phase {
        case .awaitingHead:
            if chunk!.readerIndex > 0 {
                moveUnreadToCleanChunk(compactInPlace: true)
                return true
            }
            // Limits are validated to fit in one buffer, so the parser refuses first; this is a safety net.
            respondToParseError(HTTPParseError(status: 431, reason: "header section too large"))
            return false
        case .readingBody:
            return growForChunkedBody()
        case .lingering:
            chunk!.clear()
            return true
        case .handling, .streaming, .closed:
            return false
        }
    }

    /// Moves the unread bytes to the start of a buffer nobody else references: this one if
    /// it is not shared (compacting it), else a fresh one from the pool.
    func moveUnreadToCleanChunk(compactInPlace: Bool) {
        if isKnownUniquelyReferenced(&chunk!) {
            if compactInPlace { chunk!.compact() }
            return
        }
        // A handler kept a view of an earlier request: leave that buffer to it.
        let fresh = loop.buffers.take()
        fresh.append(chunk!.readable)
        var old = chunk
        chunk = fresh
        serverLoop.releaseLater(&old)
    }

    /// Tries to parse a head from the buffered bytes. True when the connection moved on
    /// (request started, or refused); false when more bytes are needed.
    func parseBufferedHead() -> Bool {
        if !protocolChecked {
            switch HTTP2Preface.match(chunk!.readable) {
            case .undecided:
                return false
            case .http2:
                protocolChecked = true
                if let takeover = serverLoop.http2Takeover {
                    handOver(to: takeover)
                    return true
                }
            case .http1:
                protocolChecked = true
            }
        }
        // The header table lives in the buffer's scratch area: it must not be shared.
        moveUnreadToCleanChunk(compactInPlace: false)
        let buffer = chunk!
        let table = buffer.scratch.bindMemory(to: HeaderEntry.self)
        switch parser.parseHead(buffer.readable, headers: table) {
        case .needMore:
            return false
        case .failed(let error):
            respondToParseError(error)
            return true
        case .complete(let head):
            beginRequest(head)
            return true
        }
    }

    private func beginRequest(_ head: RequestHead) {
        parser.reset()
        requestsServed += 1
        let buffer = chunk!
        let base = buffer.readerIndex
        var parameters = PathParameters()
        let path = head.path.count == 0
            ? Request(chunk: buffer, base: base, head: head, body: .empty).path
            : ByteView(chunk: buffer, start: base + Int(head.path.start), count: Int(head.path.count))
        let methodName = ByteView(chunk: buffer, start: base + Int(head.methodRange.start), count: Int(head.methodRange.count))
        let match = serverLoop.pipeline.router.match(method: head.method, methodName: methodName, path: path, parameters: &parameters)
        current = InFlight(head: head, base: base, match: match, parameters: parameters, keepAlive: mayKeepAlive(head))
        timeouts.bodyDeadline = loop.now.advanced(by: serverLoop.configuration.bodyTimeout)
        switch head.framing {
        case .none:
            dispatch(body: ByteRange(start: head.length, count: 0), requestLength: head.length)
        case .contentLength(let length):
            if case .found = match {
                prepareForBody(totalLength: head.length + length)
                phase = .readingBody
                sendContinueIfExpected(head)
            } else {
                // No route: answer without reading the body, then close (the body is unread).
                current!.keepAlive = false
                dispatch(body: ByteRange(start: head.length, count: 0), requestLength: buffer.readableBytes)
            }
        case .chunked:
            if case .found = match {
                bodyDecoder = ChunkedBodyDecoder(bodyStart: head.length, limits: parser.limits)
                phase = .readingBody
                sendContinueIfExpected(head)
            } else {
                current!.keepAlive = false
                dispatch(body: ByteRange(start: head.length, count: 0), requestLength: buffer.readableBytes)
            }
        }
    }

    /// RFC 9110 §10.1.1: answer 100 only when the client is waiting for it (no body bytes yet).
    private func sendContinueIfExpected(_ head: RequestHead) {
        guard head.expectsContinue, chunk!.readableBytes == head.length else { return }
        outbound.queueLiteral("HTTP/1.1 100 Continue\r\n\r\n")
        _ = flush()
    }

    /// Makes sure the whole request (head and Content-Length body) fits in one buffer.
    private func prepareForBody(totalLength: Int) {
        let buffer = chunk!
        if buffer.capacity - buffer.readerIndex >= totalLength { return }
        if buffer.capacity >= totalLength {
            moveUnreadToCleanChunk(compactInPlace: true)
            if chunk!.capacity - chunk!.readerIndex >= totalLength { return }
        }
        moveRequest(toCapacity: totalLength)
    }

    /// Copies the request so far (bytes and header table) into a larger, unpooled buffer.
    private func moveRequest(toCapacity capacity: Int) {
        let old = chunk!
        let bigger = BufferChunk(unpooledCapacity: capacity, scratchBytes: old.scratch.count)
        bigger.append(old.readable)
        bigger.scratch.copyMemory(from: UnsafeRawBufferPointer(old.scratch))
        current?.base = 0
        var released: BufferChunk? = old
        chunk = bigger
        serverLoop.releaseLater(&released)
    }

    /// Grows the buffer of a chunked body that has filled it; false (answered) at the limit.
    private func growForChunkedBody() -> Bool {
        guard let head = current?.head else { return false }
        let limit = head.length + parser.limits.maxBodyBytes + loop.buffers.chunkSize
        let buffer = chunk!
        guard buffer.capacity < limit else {
            respondToParseError(HTTPParseError(status: 413, reason: "body too large"))
            return false
        }
        if buffer.readerIndex > 0 && buffer.capacity - buffer.readerIndex < buffer.capacity / 2 {
            moveUnreadToCleanChunk(compactInPlace: true)
            current?.base = 0
            if chunk!.writableBytes > 0 { return true }
        }
        moveRequest(toCapacity: min(limit, max(buffer.capacity * 2, buffer.readableBytes + loop.buffers.chunkSize)))
        return true
    }

    /// Advances body reading. True when the request was dispatched or refused.
    func continueBody() -> Bool {
        guard let current, let buffer = chunk else { return false }
        let head = current.head
        switch head.framing {
        case .contentLength(let length):
            guard buffer.readableBytes >= head.length + length else { return false }
            dispatch(body: ByteRange(start: head.length, count: length), requestLength: head.length + length)
            return true
        case .chunked:
            let request = UnsafeMutableRawBufferPointer(start: buffer.base + buffer.readerIndex, count: buffer.readableBytes)
            switch bodyDecoder!.decode(request) {
            case .needMore:
                // Consumed framing bytes need no space any more.
                buffer.writerIndex = buffer.readerIndex + bodyDecoder!.discardConsumedInput()
                return false
            case .complete(let end):
                let body = bodyDecoder!.decodedBody
                bodyDecoder = nil
                dispatch(body: body, requestLength: end)
                return true
            case .failed(let error):
                bodyDecoder = nil
                respondToParseError(error)
                return true
            }
        case .none:
            return false
        }
    }

    /// Reads and drops whatever the client still sends after the final response.
    func discardInput() {
        while mayRead, phase == .lingering {
            if chunk == nil { chunk = loop.buffers.take() }
            chunk!.clear()
            switch try? Syscall.read(fd, into: chunk!.writable) {
            case .processed(0), nil:
                close()
                return
            case .processed:
                continue
            case .wouldBlock:
                mayRead = false
            }
        }
        if phase == .lingering { serverLoop.releaseLater(&chunk) }
    }

    /// Hands the descriptor and the bytes read so far to the HTTP/2 implementation.
    private func handOver(to takeover: any HTTP2Takeover) {
        let bytes = Array(chunk!.readable)
        loop.timers.cancel(timer)
        if let registration { loop.deregister(fd: fd, registration: registration) }
        registration = nil
        phase = .closed
        serverLoop.releaseLater(&chunk)
        serverLoop.remove(self)
        takeover.takeOver(fd: fd, loop: loop, initialBytes: bytes)
    }
}
