import HTTPCodec

/// An API refusal: the status and the `{"error":{"code","message"}}` the caller gets.
struct SandboxError: Error {
    let status: HTTPStatus
    let code: String
    let message: String

    static func invalid(_ message: String) -> SandboxError {
        SandboxError(status: .badRequest, code: "invalid_request", message: message)
    }

    static func missing(_ what: String) -> SandboxError {
        SandboxError(status: .notFound, code: "resource_missing", message: "no such \(what)")
    }
}
