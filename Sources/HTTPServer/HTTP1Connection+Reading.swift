import HTTPCodec
import IOCore

extension HTTP1Connection {
    /// Reads once into the buffer and tells the state machine what came of it.
    func readMore() {
        if chunk == nil { chunk = loop.buffers.take() }
        guard makeRoomToRead() else { return }
        let buffer = chunk!
        let space = buffer.writableBytes
        let wasEmpty = buffer.readableBytes == 0
        do {
            switch try transport.read(into: buffer.writable) {
            case .processed(0):
                if machine.endOfInput() { close() }
            case .processed(let count):
                buffer.writerIndex += count
                machine.bytesRead(count, space: space, intoEmptyBuffer: wasEmpty, now: loop.now)
            case .wouldBlock:
                machine.readWouldBlock()
                if buffer.readableBytes == 0 { serverLoop.releaseLater(&chunk) }
            }
        } catch {
            close()
        }
    }

    /// Ensures the read buffer has free space; false (and the connection answered or
    /// closed) when it cannot.
    private func makeRoomToRead() -> Bool {
        guard chunk!.writableBytes == 0 else { return true }
        switch machine.state {
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
        case .handling, .streaming, .closing, .closed:
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

    /// Offers the buffered bytes to the head parser: a request starts, is refused, or more
    /// bytes are needed.
    func parseBufferedHead() {
        // The header table lives in the buffer's scratch area: it must not be shared.
        moveUnreadToCleanChunk(compactInPlace: false)
        let buffer = chunk!
        let table = buffer.scratch.bindMemory(to: HeaderEntry.self)
        switch parser.parseHead(buffer.readable, headers: table) {
        case .needMore:
            machine.needMoreBytes()
        case .failed(let error):
            respondToParseError(error)
        case .complete(let head):
            beginRequest(head)
        }
    }

    private func beginRequest(_ head: RequestHead) {
        parser.reset()
        let buffer = chunk!
        let base = buffer.readerIndex
        var parameters = PathParameters()
        let path = head.path.count == 0
            ? Request.rootPath
            : ByteView(chunk: buffer, start: base + Int(head.path.start), count: Int(head.path.count))
        let methodName = ByteView(chunk: buffer, start: base + Int(head.methodRange.start), count: Int(head.methodRange.count))
        let match = serverLoop.pipeline.router.match(method: head.method, methodName: methodName, path: path, parameters: &parameters)
        current = InFlight(head: head, base: base, match: match, parameters: parameters)
        let routed = if case .found = match { true } else { false }
        let action = machine.headReceived(
            keepAliveRequested: head.keepAlive, hasBody: head.framing != .none, routed: routed, now: loop.now
        )
        switch action {
        case .dispatch:
            dispatch(body: ByteRange(start: head.length, count: 0), requestLength: head.length)
        case .dispatchLeavingBodyUnread:
            // No route: answer without reading the body, then close (the body is unread).
            dispatch(body: ByteRange(start: head.length, count: 0), requestLength: buffer.readableBytes)
        case .readBody:
            switch head.framing {
            case .contentLength(let length):
                prepareForBody(totalLength: head.length + length)
            case .chunked:
                bodyDecoder = ChunkedBodyDecoder(bodyStart: head.length, limits: parser.limits)
            case .none:
                break
            }
            sendContinueIfExpected(head)
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

    /// Offers the buffered bytes to the body: the request is dispatched, refused, or more
    /// bytes are needed.
    func continueBody() {
        guard let current, let buffer = chunk else {
            machine.needMoreBytes()
            return
        }
        let head = current.head
        switch head.framing {
        case .contentLength(let length):
            guard buffer.readableBytes >= head.length + length else {
                machine.needMoreBytes()
                return
            }
            dispatch(body: ByteRange(start: head.length, count: length), requestLength: head.length + length)
        case .chunked:
            let request = UnsafeMutableRawBufferPointer(start: buffer.base + buffer.readerIndex, count: buffer.readableBytes)
            switch bodyDecoder!.decode(request) {
            case .needMore:
                // Consumed framing bytes need no space any more.
                buffer.writerIndex = buffer.readerIndex + bodyDecoder!.discardConsumedInput()
                machine.needMoreBytes()
            case .complete(let end):
                let body = bodyDecoder!.decodedBody
                bodyDecoder = nil
                dispatch(body: body, requestLength: end)
            case .failed(let error):
                bodyDecoder = nil
                respondToParseError(error)
            }
        case .none:
            machine.needMoreBytes()
        }
    }

    /// Reads and drops whatever the client still sends after the final response.
    func discardInput() {
        while machine.mayRead, machine.state == .lingering {
            if chunk == nil { chunk = loop.buffers.take() }
            chunk!.clear()
            switch try? transport.read(into: chunk!.writable) {
            case .processed(0), nil:
                close()
                return
            case .processed:
                continue
            case .wouldBlock:
                machine.readWouldBlock()
            }
        }
        if machine.state == .lingering { serverLoop.releaseLater(&chunk) }
    }
}
