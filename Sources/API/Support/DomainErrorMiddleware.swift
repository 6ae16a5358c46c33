import HTTPServer

/// Turns what an API handler throws into its problem (`ErrorTranslation`), so handlers just
/// throw domain errors. The API's route group runs it, inside the router's ErrorMiddleware
/// that renders the problem; routes outside the group keep their errors as they are.
struct DomainErrorMiddleware: Middleware {
    func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        guard case .failure(let error) = outcome, !(error is HTTPError) else { return }
        outcome = .failure(ErrorTranslation.translate(error))
    }
}
