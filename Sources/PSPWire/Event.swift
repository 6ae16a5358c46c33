/// A webhook event: what happened, when, and the object as it was at that moment. The id
/// is the same on every delivery attempt of the event, so receivers deduplicate on it.
public struct PSPEvent: Codable, Sendable, Equatable {
    public var id: String
    public var type: PSPEventType
    /// Unix seconds.
    public var created: Int64
    public var data: Data

    /// The event's payload.
    public struct Data: Codable, Sendable, Equatable {
        public var object: PSPEventObject

        public init(object: PSPEventObject) {
            self.object = object
        }
    }

    public init(id: String, type: PSPEventType, created: Int64, object: PSPEventObject) {
        self.id = id
        self.type = type
        self.created = created
        self.data = Data(object: object)
    }
}

/// Event types the provider sends.
public enum PSPEventType: String, Codable, Sendable, CaseIterable {
    case paymentIntentSucceeded = "payment_intent.succeeded"
    case paymentIntentPaymentFailed = "payment_intent.payment_failed"
    case refundSucceeded = "refund.succeeded"
}

/// The object an event carries, told apart by its `object` field.
public enum PSPEventObject: Codable, Sendable, Equatable {
    case paymentIntent(PaymentIntent)
    case refund(Refund)

    private enum Keys: String, CodingKey {
        case object
    }

    public init(from decoder: any Decoder) throws {
        let kind = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .object)
        switch kind {
        case "payment_intent": self = .paymentIntent(try PaymentIntent(from: decoder))
        case "refund": self = .refund(try Refund(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown object '\(kind)'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .paymentIntent(let intent): try intent.encode(to: encoder)
        case .refund(let refund): try refund.encode(to: encoder)
        }
    }
}
