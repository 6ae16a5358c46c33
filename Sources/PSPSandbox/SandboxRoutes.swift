import Foundation
import HTTPCodec
import HTTPServer
import IOCore
import PSPWire
import Synchronization

/// The provider API under /v1 and the sandbox's own controls under /_sandbox.
struct SandboxRoutes: Sendable {
    let ledger: Ledger
    let dispatcher: WebhookDispatcher
    let apiKey: String

    func add(to routes: inout RouterBuilder) {
        routes.post("/v1/payment_intents", api { request, state in
            let body: CreatePaymentIntentRequest = try decode(request)
            return try state.createIntent(body, idempotencyKey: request.headers.first("idempotency-key"))
        })
        routes.get("/v1/payment_intents", api { request, state in
            let query = Self.query(request)
            var limit = 10
            if let text = query["limit"] {
                guard let value = Int(text) else { throw SandboxError.invalid("limit must be an integer") }
                limit = value
            }
            return try state.listIntents(after: query["after"], limit: limit)
        })
        routes.get("/v1/payment_intents/{id}", api { request, state in
            try state.intent(id: Self.identifier(request))
        })
        routes.post("/v1/payment_intents/{id}/confirm", api { request, state in
            let body: ConfirmPaymentIntentRequest = try decode(request)
            return try state.confirm(intentID: Self.identifier(request), body)
        })
        routes.post("/v1/refunds", api { request, state in
            let body: CreateRefundRequest = try decode(request)
            return try state.createRefund(body, idempotencyKey: request.headers.first("idempotency-key"))
        })
        routes.get("/v1/refunds", api { request, state in
            guard let intent = Self.query(request)["payment_intent"] else { throw SandboxError.invalid("payment_intent is required") }
            return try state.listRefunds(intentID: intent)
        })
        SandboxControlRoutes(ledger: ledger, dispatcher: dispatcher).add(to: &routes)
        ClientConfirmRoutes(sandbox: self).add(to: &routes)
    }

    /// Wraps an API operation: bearer key (unless the operation authenticates its caller
    /// itself), the fail knobs, one critical section on the ledger, deliveries and settlement
    /// after it, then the API delay knob.
    func api(
        keyRequired: Bool = true,
        _ operation: @escaping @Sendable (Request, inout LedgerState) throws -> LedgerState.Outcome
    ) -> Handler {
        let ledger = self.ledger
        let dispatcher = self.dispatcher
        let expected = "Bearer \(apiKey)"
        return .async { request, _ in
            guard !keyRequired || request.headers["authorization"]?.equals(expected) == true else {
                return Self.error(SandboxError(status: .unauthorized, code: "unauthorized", message: "a valid Authorization: Bearer <api key> is required"))
            }
            let (failed, knobs) = ledger.state.withLock { ($0.shouldFailAPICall(), $0.knobs) }
            if failed {
                return Self.error(SandboxError(status: .internalServerError, code: "sandbox_failure", message: "failure injected by the sandbox"))
            }
            let result = ledger.state.withLock { state in
                Result { () throws(SandboxError) -> LedgerState.Outcome in
                    do {
                        return try operation(request, &state)
                    } catch let error as SandboxError {
                        throw error
                    } catch {
                        throw .invalid("\(error)")
                    }
                }
            }
            let response: Response
            switch result {
            case .success(let outcome):
                dispatcher.submit(outcome.deliver)
                if let refund = outcome.settle { dispatcher.settle(refund: refund, after: .milliseconds(knobs.refundSettleDelayMs)) }
                response = Self.json(outcome.body)
            case .failure(let error):
                response = Self.error(error)
            }
            // After the effect: a caller that times out has still created what it asked for.
            if knobs.apiDelayMs > 0 { try await Task.sleep(for: .milliseconds(knobs.apiDelayMs)) }
            return response
        }
    }

    static func json(_ body: [UInt8], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ResponseHeaders(contentType: "application/json"), body: .bytes(body))
    }

    static func error(_ error: SandboxError) -> Response {
        json((try? PSPJSON.encode(PSPErrorBody(code: error.code, message: error.message))) ?? [], status: error.status)
    }

    /// The `{id}` path segment, percent-decoded.
    static func identifier(_ request: Request) -> String {
        let raw = request.pathParameters["id"]?.string ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// Query parameters, percent-decoded; the first of repeated names wins.
    static func query(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for pair in (request.query?.string ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            if values[name] == nil { values[name] = value }
        }
        return values
    }
}

func decode<Value: Decodable>(_ request: Request) throws(SandboxError) -> Value {
    do {
        return try PSPJSON.decode(Value.self, from: request.body.bytes)
    } catch {
        throw .invalid("the body is not the expected JSON: \(error)")
    }
}
