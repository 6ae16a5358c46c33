import Foundation
public import HTTPClient
import HTTPCodec
public import IOCore
public import PSPWire

/// Where the provider is and how to talk to it.
public struct PSPClientConfiguration: Sendable {
    /// The provider's address (numeric, or "localhost").
    public var address: SocketAddress
    /// Sent as `Authorization: Bearer <apiKey>`.
    public var apiKey: String
    /// Per call: connect, send and the whole answer.
    public var timeout: Duration

    public init(address: SocketAddress, apiKey: String, timeout: Duration = .seconds(10)) {
        self.address = address
        self.apiKey = apiKey
        self.timeout = timeout
    }

    /// From "host:port" ("127.0.0.1:8099", "[::1]:8099", "localhost:8099").
    public init(baseAddress: String, apiKey: String, timeout: Duration = .seconds(10)) throws(PSPClientError) {
        guard let colon = baseAddress.lastIndex(of: ":"), let port = Int(baseAddress[baseAddress.index(after: colon)...]) else {
            throw .unreachable("'\(baseAddress)' is not host:port")
        }
        do {
            self.init(address: try SocketAddress(host: String(baseAddress[..<colon]), port: port), apiKey: apiKey, timeout: timeout)
        } catch {
            throw .unreachable(error.description)
        }
    }
}

/// The provider's API as async calls over `HTTPClients` (so on the caller's loop when it
/// runs on one). Every failure is a `PSPClientError`.
public final class PSPClient: Sendable {
    public let configuration: PSPClientConfiguration
    private let clients: HTTPClients

    public init(configuration: PSPClientConfiguration, clients: HTTPClients) {
        self.configuration = configuration
        self.clients = clients
    }

    /// Creates a payment intent; the same key with the same arguments returns the same intent.
    public func createIntent(
        amount: Int, currency: String, metadata: [String: String] = [:], idempotencyKey: String
    ) async throws(PSPClientError) -> PaymentIntent {
        let body = CreatePaymentIntentRequest(amount: amount, currency: currency, metadata: metadata)
        return try await call(.post, "/v1/payment_intents", body: body, idempotencyKey: idempotencyKey)
    }

    /// Confirms an intent with a payment method (`PaymentMethod.cardOK`, `.cardDeclined`).
    public func confirm(intentID: String, paymentMethod: String) async throws(PSPClientError) -> PaymentIntent {
        try await call(.post, "/v1/payment_intents/\(Self.escape(intentID))/confirm", body: ConfirmPaymentIntentRequest(paymentMethod: paymentMethod))
    }

    /// One intent as the provider has it now.
    public func intent(id: String) async throws(PSPClientError) -> PaymentIntent {
        try await call(.get, "/v1/payment_intents/\(Self.escape(id))")
    }

    /// Intents in creation order, after the intent `after` (nil: from the first).
    public func listIntents(after: String? = nil, limit: Int = 10) async throws(PSPClientError) -> PSPList<PaymentIntent> {
        var target = "/v1/payment_intents?limit=\(limit)"
        if let after { target += "&after=\(Self.escape(after))" }
        return try await call(.get, target)
    }

    /// Refunds `amount` of a succeeded intent; the same key never refunds twice.
    public func refund(intentID: String, amount: Int, idempotencyKey: String) async throws(PSPClientError) -> Refund {
        try await call(.post, "/v1/refunds", body: CreateRefundRequest(paymentIntent: intentID, amount: amount), idempotencyKey: idempotencyKey)
    }

    /// The refunds of an intent, oldest first.
    public func refunds(intentID: String) async throws(PSPClientError) -> PSPList<Refund> {
        try await call(.get, "/v1/refunds?payment_intent=\(Self.escape(intentID))")
    }

    // MARK: - Transport

    private func call<Answer: Decodable>(
        _ method: HTTPMethod,
        _ target: String,
        idempotencyKey: String? = nil
    ) async throws(PSPClientError) -> Answer {
        try await send(method, target, body: nil, idempotencyKey: idempotencyKey)
    }

    private func call<Answer: Decodable>(
        _ method: HTTPMethod,
        _ target: String,
        body: some Encodable,
        idempotencyKey: String? = nil
    ) async throws(PSPClientError) -> Answer {
        let bytes: [UInt8]
        do {
            bytes = try PSPJSON.encode(body)
        } catch {
            throw .invalidResponse("cannot encode the request: \(error)")
        }
        return try await send(method, target, body: bytes, idempotencyKey: idempotencyKey)
    }

    private func send<Answer: Decodable>(
        _ method: HTTPMethod,
        _ target: String,
        body: [UInt8]?,
        idempotencyKey: String?
    ) async throws(PSPClientError) -> Answer {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(configuration.apiKey)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        let request = HTTPClientRequest(method: method, target: target, headers: headers, body: body ?? [])
        let response: HTTPClientResponse
        do {
            response = try await clients.execute(request, to: configuration.address, timeout: configuration.timeout)
        } catch let error as HTTPClientError {
            throw Self.translate(error)
        } catch {
            throw .connectionLost("\(error)")
        }
        switch response.status {
        case 200..<300:
            do {
                return try PSPJSON.decode(Answer.self, from: response.body)
            } catch {
                throw .invalidResponse("\(response.status) with a body that is not a \(Answer.self): \(error)")
            }
        case 400..<500:
            let detail = try? PSPJSON.decode(PSPErrorBody.self, from: response.body)
            throw .rejected(status: response.status, code: detail?.error.code ?? "unknown", message: detail?.error.message ?? response.text)
        default:
            let detail = try? PSPJSON.decode(PSPErrorBody.self, from: response.body)
            throw .providerFailed(status: response.status, code: detail?.error.code, message: detail?.error.message)
        }
    }

    private static func translate(_ error: HTTPClientError) -> PSPClientError {
        switch error {
        case .timeout: .timeout
        case .connectionRefused(let detail), .invalidAddress(let detail): .unreachable(detail)
        case .connectionReset, .connectionClosed, .socket: .connectionLost(error.description)
        case .invalidResponse, .responseTooLarge, .invalidRequest: .invalidResponse(error.description)
        }
    }

    /// RFC 3986 unreserved characters stay; everything else is percent-encoded.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
