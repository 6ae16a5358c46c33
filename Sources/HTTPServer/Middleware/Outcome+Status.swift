import HTTPCodec

extension Result<Response, any Error> {
    /// The status the client will see for this outcome (errors not yet rendered count as
    /// their `HTTPError` status, anything else as 500).
    var statusCode: Int {
        switch self {
        case .success(let response): response.status.code
        case .failure(let error): (error as? HTTPError)?.status.code ?? 500
        }
    }
}
