import HTTPCodec
public import Logging

/// Turns a thrown error into an `application/problem+json` response (RFC 9457).
///
/// An `HTTPError` is shown as it is; anything else becomes a 500 whose body says nothing
/// about the cause (the cause is logged with the request id, which the body carries).
/// Place it last in the chain: it is then the first to see the handler's outcome.
public struct ErrorMiddleware: Middleware {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        guard case .failure(let error) = outcome else { return }
        let problem: HTTPError
        if let known = error as? HTTPError {
            problem = known
        } else {
            problem = HTTPError(.internalServerError)
            logger.error(
                "handler failed",
                metadata: [
                    "request_id": "\(context.requestID)",
                    "route": "\(context.route ?? "-")",
                    "error": "\(String(reflecting: error))",
                ]
            )
        }
        outcome = .success(Self.render(problem, context: context))
    }

    static func render(_ problem: HTTPError, context: RequestContext) -> Response {
        var headers = problem.headers
        headers.contentType = "application/problem+json"
        let body = context.writeBody { body in
            body.json { json in
                json.object { object in
                    object.field("type", problem.type)
                    object.field("title", problem.title)
                    object.field("status", problem.status.code)
                    if let detail = problem.detail { object.field("detail", detail) }
                    if context.requestID.count > 0 { object.field("requestId", context.requestID.description) }
                    for (name, value) in problem.extensions {
                        object.key(name)
                        object.problemValue(value)
                    }
                }
            }
        }
        return Response(status: problem.status, headers: headers, body: body)
    }
}

extension JSONWriter {
    mutating func problemValue(_ value: ProblemValue) {
        switch value {
        case .string(let text): string(text)
        case .int(let number): int(number)
        case .bool(let flag): bool(flag)
        case .array(let elements):
            array { array in
                for element in elements { array.problemValue(element) }
            }
        case .object(let members):
            object { object in
                for (name, member) in members {
                    object.key(name)
                    object.problemValue(member)
                }
            }
        }
    }
}
