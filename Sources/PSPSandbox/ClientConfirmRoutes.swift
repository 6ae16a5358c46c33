import HTTPCodec
import HTTPServer
import OpenSSL
import PSPWire

/// Buyer-side confirmation, as a real provider's browser SDK does it: the service gives the
/// buyer the intent's client secret (never its own API key), and the buyer's app confirms the
/// intent with it, straight from the browser (CORS open to any origin: the secret in the body
/// is the credential, no cookie is involved).
///
///     POST /v1/client/payment_intents/{id}/confirm
///     {"client_secret": "pi_…_secret_…", "payment_method": "pm_card_ok"}
///
/// The answer and the events are those of the API-key confirm; a secret that is not the
/// intent's is 401 `invalid_client_secret`, for a missing intent too (ids cannot be probed).
struct ClientConfirmRoutes: Sendable {
    let sandbox: SandboxRoutes

    static let pathPrefix = "/v1/client/"

    func add(to routes: inout RouterBuilder) {
        var cors = CORSMiddleware.Configuration()
        cors.allowedOrigins = ["*"]
        cors.allowedMethods = ["POST"]
        cors.allowedHeaders = ["Content-Type"]
        cors.pathPrefix = Self.pathPrefix
        routes.add(CORSMiddleware(cors))
        routes.post(Self.pathPrefix + "payment_intents/{id}/confirm", sandbox.api(keyRequired: false) { request, state in
            let body: ClientConfirmRequest = try decode(request)
            let id = SandboxRoutes.identifier(request)
            guard let secret = state.intents[id]?.clientSecret, constantTimeEquals(Array(secret.utf8), Array(body.clientSecret.utf8)) else {
                throw SandboxError(status: .unauthorized, code: "invalid_client_secret", message: "the client secret is not this payment intent's")
            }
            return try state.confirm(intentID: id, ConfirmPaymentIntentRequest(paymentMethod: body.paymentMethod))
        })
    }
}

/// The body of a client-side confirm.
struct ClientConfirmRequest: Decodable {
    let clientSecret: String
    let paymentMethod: String

    enum CodingKeys: String, CodingKey {
        case clientSecret = "client_secret"
        case paymentMethod = "payment_method"
    }
}

/// Client secrets: the intent's id and 24 random bytes (from OpenSSL, not the seeded ids: a
/// secret must not follow from the sandbox's seed).
enum ClientSecret {
    static func make(for intentID: String) throws(SandboxError) -> String {
        do {
            return intentID + "_secret_" + Hex.encode(try SecureRandom.bytes(24))
        } catch {
            throw SandboxError(status: .internalServerError, code: "sandbox_failure", message: "no randomness for a client secret: \(error)")
        }
    }
}
