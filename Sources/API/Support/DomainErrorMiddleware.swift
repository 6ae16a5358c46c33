import HTTPServer

/// Turns what an API handler throws into its problem (`ErrorTranslation`), for every route
/// under `/v1/`, so handlers just throw domain errors. Runs before `ErrorMiddleware` renders
/// the problem (added after it). Other routes keep their errors as they are.
struct DomainErrorMiddleware: Middleware {
    func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        guard case .failure(let error) = outcome, !(error is HTTPError), context.route?.hasPrefix(GroupBuyAPI.pathPrefix) == true else {
            return
        }
        outcome = .failure(ErrorTranslation.translate(error))
    }
}
