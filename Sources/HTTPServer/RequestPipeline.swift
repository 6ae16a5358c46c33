import HTTPCodec
import IOCore

/// Receives a finished response on the loop thread: the HTTP/1.1 connection now, an
/// HTTP/2 stream later. This is the protocol seam: everything above it (router,
/// middleware, handlers) is the same whatever protocol carried the request.
protocol ResponseCompletion: AnyObject, Sendable {
    func complete(_ request: Request, context: RequestContext, response: Response)
}

/// Runs middleware and the routed handler for one request: the route's chain (the router's
/// middleware, then its group's) or, when no route matched, the router's alone.
///
/// An immediate handler completes before `start` returns, with no Task and no allocation;
/// an async handler runs in a Task whose executor preference is the request's loop, so it
/// and the completion run on that loop thread.
struct RequestPipeline: Sendable {
    let router: Router

    /// Starts handling; returns the Task when the handler is async (for cancellation).
    func start(
        _ request: Request,
        context: RequestContext,
        match: Router.Match,
        completion: any ResponseCompletion
    ) -> Task<Void, Never>? {
        var context = context
        var entered = 0
        var outcome: Result<Response, any Error>?
        let chain: [any Middleware]
        if case .found(let route) = match { chain = route.middleware } else { chain = router.middleware }
        for middleware in chain {
            entered += 1
            do {
                if let response = try middleware.willHandle(request, context: &context) {
                    outcome = .success(response)
                    break
                }
            } catch {
                outcome = .failure(error)
                break
            }
        }
        if outcome == nil {
            switch match {
            case .notFound:
                outcome = .failure(HTTPError(.notFound, detail: "no route for this path"))
            case .methodNotAllowed(let allow):
                var headers = ResponseHeaders()
                headers.add("Allow", .string(allow))
                outcome = .failure(HTTPError(.methodNotAllowed, detail: "allowed: \(allow)", headers: headers))
            case .found(let route):
                switch route.handler.kind {
                case .immediate(let handler):
                    outcome = Result { try handler(request, &context) }
                case .async(let handler):
                    return startAsync(handler, request, context: context, chain: chain, entered: entered, completion: completion)
                }
            }
        }
        finish(request, outcome: &outcome!, context: &context, chain: chain, entered: entered, completion: completion)
        return nil
    }

    /// A separate function so that `start`'s `var context` is never captured by the escaping
    /// Task closure: a captured var is boxed on the heap on every path, immediate ones too.
    private func startAsync(
        _ handler: @escaping @Sendable (Request, inout RequestContext) async throws -> Response,
        _ request: Request,
        context: RequestContext,
        chain: [any Middleware],
        entered: Int,
        completion: any ResponseCompletion
    ) -> Task<Void, Never> {
        Task(executorPreference: context.loop) {
            var context = context
            var outcome: Result<Response, any Error>
            do {
                outcome = .success(try await handler(request, &context))
            } catch {
                outcome = .failure(error)
            }
            finish(request, outcome: &outcome, context: &context, chain: chain, entered: entered, completion: completion)
        }
    }

    private func finish(
        _ request: Request,
        outcome: inout Result<Response, any Error>,
        context: inout RequestContext,
        chain: [any Middleware],
        entered: Int,
        completion: any ResponseCompletion
    ) {
        var index = entered
        while index > 0 {
            index -= 1
            chain[index].didHandle(request, outcome: &outcome, context: &context)
        }
        switch outcome {
        case .success(let response):
            completion.complete(request, context: context, response: response)
        case .failure(let error):
            // No middleware rendered it: answer with the bare status, never the error's text.
            let status = (error as? HTTPError)?.status ?? .internalServerError
            completion.complete(request, context: context, response: Response(status: status))
        }
    }
}
