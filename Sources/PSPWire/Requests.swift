/// `POST /v1/payment_intents`.
public struct CreatePaymentIntentRequest: Codable, Sendable, Equatable {
    public var amount: Int
    public var currency: String
    public var metadata: [String: String]

    public init(amount: Int, currency: String, metadata: [String: String] = [:]) {
        self.amount = amount
        self.currency = currency
        self.metadata = metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        amount = try container.decode(Int.self, forKey: .amount)
        currency = try container.decode(String.self, forKey: .currency)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }
}

/// `POST /v1/payment_intents/{id}/confirm`.
public struct ConfirmPaymentIntentRequest: Codable, Sendable, Equatable {
    public var paymentMethod: String

    public init(paymentMethod: String) {
        self.paymentMethod = paymentMethod
    }

    enum CodingKeys: String, CodingKey {
        case paymentMethod = "payment_method"
    }
}

/// `POST /v1/refunds`.
public struct CreateRefundRequest: Codable, Sendable, Equatable {
    public var paymentIntent: String
    public var amount: Int

    public init(paymentIntent: String, amount: Int) {
        self.paymentIntent = paymentIntent
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case paymentIntent = "payment_intent"
        case amount
    }
}

/// A page of a list: `{"data":[...],"has_more":bool}`.
public struct PSPList<Element: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var object: String
    public var data: [Element]
    public var hasMore: Bool

    public init(data: [Element], hasMore: Bool) {
        self.object = "list"
        self.data = data
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case object, data
        case hasMore = "has_more"
    }
}

/// Every error answer: `{"error":{"code":"...","message":"..."}}` with a 4xx or 5xx status.
public struct PSPErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// Stable, machine-readable ("idempotency_mismatch", "amount_too_large", ...).
        public var code: String
        /// For people.
        public var message: String
    }

    public var error: Detail

    public init(code: String, message: String) {
        self.error = Detail(code: code, message: message)
    }
}
