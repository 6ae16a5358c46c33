import Auth
import Domain
import Foundation
import HTTPCodec
import HTTPServer
import Orders
import PSPWire
import Payments
import StrictJSON

/// Paying for an order, the provider's webhooks, and reconciliation for admins.
struct PaymentRoutes: Sendable {
    let payments: PaymentsService
    let auth: Authenticator
    /// Secrets the webhook signature may be made with (several during a rotation).
    let webhookSecrets: [String]
    let webhookTolerance: Int64

    func add(to routes: inout RouteGroup) {
        routes.post("/orders/{id}/pay", .async { try await pay($0, $1) })
        routes.post("/webhooks/psp", .async { try await webhook($0, $1) })
        routes.get("/admin/payments/reconcile", .async { try await reconcile($0, $1) })
    }

    /// Answers the order's payment with the provider's intent id and its client secret; the
    /// buyer confirms the intent with the provider using that secret (never our API key), and
    /// the provider's webhook then marks the order paid. Repeating it is safe: one payment per
    /// order, one intent per payment (an Idempotency-Key is checked but not needed).
    func pay(_ request: Request, _ context: RequestContext) async throws -> Response {
        let buyer = try auth.require(.buyer, request)
        guard let id = request.id("id") else { throw OrdersError.orderNotFound("there is no such order") }
        _ = try IdempotencyKeyHeader.claim(of: request)
        let payment = try await payments.pay(orderID: id, user: buyer.userID, on: context.loop)
        let answer = CreatedLocation.members(of: payment)
        var secret: String?
        if case .string(let intentID) = answer["intentId"] { secret = try await payments.clientSecret(intentID: intentID) }
        // The payment has no URI of its own: it is shown in its order.
        let headers = CreatedLocation.headers(answer, id: ["orderId"], under: "/v1/orders/")
        return .rawJSON(payment, adding: "clientSecret", secret, status: .created, headers: headers, context: context)
    }

    /// Checks the signature and its age (400 and no change when wrong), then applies the event
    /// once. 200 for every event we have taken (including duplicates and types we ignore), so
    /// the provider stops resending; 5xx only when it should resend later.
    func webhook(_ request: Request, _ context: RequestContext) async throws -> Response {
        guard !webhookSecrets.isEmpty else { throw PaymentsError.notConfigured }
        let body = request.body.bytes
        let header = request.headers.first(WebhookSignature.headerName.lowercased()) ?? ""
        let now = Int64(Date().timeIntervalSince1970)
        var lastError: WebhookSignatureError = .noSignature
        var verified = false
        for secret in webhookSecrets where !verified {
            do {
                try WebhookSignature.verify(header: header, body: body, secret: secret, now: now, tolerance: webhookTolerance)
                verified = true
            } catch {
                lastError = error
            }
        }
        guard verified else { throw HTTPError(.badRequest, type: ProblemType.badSignature, detail: lastError.description) }

        // Strictly read first: a signed event must still mean one thing and hold only text
        // PostgreSQL can store (it is kept as jsonb), or it is refused here and not half-applied.
        let document = try JSONInput.document(request.body)
        let outcome: String
        if let event = try? PSPJSON.decode(PSPEvent.self, from: body) {
            outcome = try await payments.apply(event, json: String(decoding: body, as: UTF8.self), on: context.loop)
        } else if case .object(let object) = document, case .string = object["id"], case .string = object["type"] {
            outcome = "ignored"
        } else {
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the event is not a provider event")
        }
        return .json(context: context) { json in
            json.object { object in
                object.field("received", true)
                object.field("outcome", outcome)
            }
        }
    }

    func reconcile(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var since: Int64 = 0
        if let text = query["since"] {
            let parser = ISO8601DateFormatter()
            parser.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
            guard let date = parser.date(from: text) else {
                throw ErrorTranslation.validation([FieldProblem("since", "must be an RFC 3339 date-time such as 2026-12-01T00:00:00Z")])
            }
            since = Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
        }
        let report = try await payments.reconcile(sinceMilliseconds: since, on: context.loop)
        return .json(context: context) { json in
            json.object { object in
                object.field("healthy", report.mismatches.isEmpty)
                object.key("checked")
                object.object { checked in
                    checked.field("ours", report.ours)
                    checked.field("provider", report.provider)
                }
                object.key("mismatches")
                object.array { array in
                    for mismatch in report.mismatches {
                        array.object { item in
                            item.field("kind", mismatch.kind.rawValue)
                            item.key("paymentId")
                            if let id = mismatch.paymentID { item.int(id) } else { item.null() }
                            item.key("orderId")
                            if let id = mismatch.orderID { item.int(id) } else { item.null() }
                            item.key("intentId")
                            if let id = mismatch.intentID { item.string(id) } else { item.null() }
                            item.key("ours")
                            if let ours = mismatch.ours { item.string(ours) } else { item.null() }
                            item.key("provider")
                            if let theirs = mismatch.provider { item.string(theirs) } else { item.null() }
                            item.field("detail", mismatch.detail)
                        }
                    }
                }
            }
        }
    }
}
