public import Auth
import Foundation
import HTTPCodec
import HTTPServer

/// Bearer JWT authentication for handlers: who is calling, and may they do this?
/// 401 when there is no valid token, 403 when the token is valid but its role is not enough.
public struct Authenticator: Sendable {
    let verifier: JWTVerifier
    /// Issues buyer tokens for `POST /v1/admin/tokens`; nil where this instance may not (the
    /// route then answers 503).
    let signer: JWTSigner?

    public init(verifier: JWTVerifier, signer: JWTSigner? = nil) {
        self.verifier = verifier
        self.signer = signer
    }

    /// The caller, or nil when the request carries no Authorization header at all.
    /// A header that is present but wrong is always an error: a bad token is never anonymous.
    func principal(of request: Request) throws(HTTPError) -> Principal? {
        guard let header = request.headers.first("authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthenticated("use an Authorization: Bearer <token> header", invalidToken: false)
        }
        do {
            return try verifier.verify(parts[1], now: Date())
        } catch {
            throw Self.unauthenticated(error.description, invalidToken: true)
        }
    }

    /// The caller, who must hold `role` (admins may do what buyers may).
    func require(_ role: Role, _ request: Request) throws(HTTPError) -> Principal {
        guard let principal = try principal(of: request) else {
            throw Self.unauthenticated("this needs a bearer token", invalidToken: false)
        }
        if role == .admin && principal.role != .admin {
            throw HTTPError(.forbidden, type: ProblemType.forbidden, detail: "this needs the admin role")
        }
        return principal
    }

    private static func unauthenticated(_ detail: String, invalidToken: Bool) -> HTTPError {
        var headers = ResponseHeaders()
        headers.add("WWW-Authenticate", invalidToken ? #"Bearer realm="groupbuy", error="invalid_token""# : #"Bearer realm="groupbuy""#)
        return HTTPError(.unauthorized, type: ProblemType.unauthenticated, detail: detail, headers: headers)
    }
}
