import HTTPCodec
import IOCore

extension HTTP1Connection: ResponseCompletion {
    /// Hands the complete request to the pipeline.
    func dispatch(body: ByteRange, requestLength: Int) {
        guard var inFlight = current else { return }
        inFlight.length = requestLength
        current = inFlight
        let now = loop.now
        let deadline = machine.requestDispatched(now: now)
        let head = inFlight.head.requestHead(connectionScheme: transport.scheme)
        var request = Request(chunk: chunk!, base: inFlight.base, head: head, body: body)
        request.pathParameters = inFlight.parameters
        var context = RequestContext(
            loop: loop,
            receivedAt: now,
            deadline: deadline,
            routeIndex: serverLoop.pipeline.router.routes.count,
            metrics: serverLoop.metrics
        )
        if case .found(let route) = inFlight.match {
            context.route = route.pattern
            context.routeIndex = route.index
        }
        let task = serverLoop.pipeline.start(request, context: context, match: inFlight.match, completion: self)
        // An immediate handler has already completed; an async one is still running.
        if machine.state == .handling { handlerTask = task }
    }

    func complete(_ request: Request, context: RequestContext, response: Response) {
        guard machine.state == .handling, let inFlight = current else { return }
        handlerTask = nil
        send(response, for: inFlight, context: context)
        if !isDriving { drive() }
    }

    /// Serialises `response` and starts sending it; streamed bodies continue in a Task.
    private func send(_ response: Response, for inFlight: InFlight, context: RequestContext) {
        let head = inFlight.head
        let isHead = head.method == .head
        let keepAlive = machine.responseKeepsAlive
        var response = response
        if !response.status.allowsBody || isHead {
            let length = response.body.knownLength
            releaseBody(&response.body)
            queueHead(response, bodyLength: length, streamed: length == nil, keepAlive: keepAlive, version: head.version, context: context)
            finishRequest(keepAlive: keepAlive)
            return
        }
        if case .stream(let stream) = response.body {
            // HTTP/1.0 has no chunked coding: the body ends when the connection does.
            let chunked = head.version == .http1_1
            let keepAliveAfter = keepAlive && chunked
            queueHead(response, bodyLength: nil, streamed: true, keepAlive: keepAliveAfter, version: head.version, context: context)
            startStreaming(stream, trailers: response.trailers, chunked: chunked, keepAlive: keepAliveAfter)
            return
        }
        if !response.trailers.isEmpty && head.version == .http1_1 {
            sendWithTrailers(&response, keepAlive: keepAlive, context: context)
            return
        }
        queueHead(response, bodyLength: response.body.knownLength, streamed: false, keepAlive: keepAlive, version: head.version, context: context)
        outbound.body = response.body
        response.body = .empty
        finishRequest(keepAlive: keepAlive)
    }

    /// Trailers need the chunked coding (RFC 9112 §7.1.2): the body goes as one chunk, then
    /// the last chunk carries them.
    private func sendWithTrailers(_ response: inout Response, keepAlive: Bool, context: RequestContext) {
        let length = response.body.knownLength ?? 0
        queueHead(response, bodyLength: nil, streamed: true, keepAlive: keepAlive, version: .http1_1, context: context, firstChunkLength: length)
        if length > 0 {
            outbound.body = response.body
            response.body = .empty
            outbound.tail = "\r\n"
        }
        queueTrailerSection(response.trailers)
        finishRequest(keepAlive: keepAlive)
    }

    /// The request is answered (its response queued): let go of its bytes and move on.
    func finishRequest(keepAlive: Bool) {
        if let chunk, let current { chunk.readerIndex = current.base + current.length }
        current = nil
        bodyDecoder = nil
        machine.requestFinished(keepAlive: keepAlive, now: loop.now)
        if let buffer = chunk, buffer.readableBytes == 0 { serverLoop.releaseLater(&chunk) }
        flush()
    }

    /// Frees a body that will not be sent (HEAD, 204, 304).
    func releaseBody(_ body: inout ResponseBody) {
        serverLoop.release(&body)
    }

    /// Answers a request the parser refused, then closes.
    func respondToParseError(_ error: HTTPParseError) {
        serverLoop.metrics.recordParseError(status: error.status)
        answerAndClose(status: HTTPStatus(code: error.status), detail: error.reason.description)
    }

    /// Sends a problem+json response with `Connection: close` outside the pipeline
    /// (parse errors and timeouts), then lingers and closes.
    func answerAndClose(status: HTTPStatus, detail: String) {
        handlerTask?.cancel()
        handlerTask = nil
        bodyDecoder = nil
        let version = current?.head.version ?? .http1_1
        current = nil
        parser.reset()
        machine.answeringAndClosing(now: loop.now)
        var response = Response(status: status, headers: ResponseHeaders(contentType: "application/problem+json"))
        response.body = .string(
            #"{"type":"about:blank","title":"\#(status.reasonPhrase)","status":\#(status.code),"detail":"\#(detail)"}"#
        )
        let context = RequestContext(loop: loop, receivedAt: loop.now, deadline: loop.now, routeIndex: 0, metrics: serverLoop.metrics)
        queueHead(response, bodyLength: response.body.knownLength, streamed: false, keepAlive: false, version: version, context: context)
        outbound.body = response.body
        if chunk != nil { chunk!.clear() }
        serverLoop.releaseLater(&chunk)
        flush()
    }

    /// After the last response: half-close our side and drop input until the client closes.
    func startLingering() {
        guard machine.lingerStarted(now: loop.now) else { return }
        transport.shutdownWrite()
        // Unread pipelined requests will not be answered.
        serverLoop.releaseLater(&chunk)
        if !isDriving { drive() }
    }
}
