import HTTPCodec
import PSPWire
import Synchronization

/// The API's effects on the ledger. Each runs inside one `withLock`; what must happen after
/// the lock (deliveries, settlement) is returned to the caller.
extension LedgerState {
    /// The outcome of an operation: the answer's bytes, and events to deliver.
    struct Outcome {
        var body: [UInt8]
        var deliver: [Int] = []
        /// A refund to settle after the answer.
        var settle: String?
    }

    mutating func createIntent(_ request: CreatePaymentIntentRequest, idempotencyKey: String?) throws(SandboxError) -> Outcome {
        guard request.amount > 0 else { throw .invalid("amount must be a positive integer (minor units)") }
        guard request.currency.count == 3, request.currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw .invalid("currency must be an upper-case ISO 4217 code such as EUR")
        }
        let fingerprint = encoded(request)
        if let idempotencyKey, let stored = try replay(scope: "payment_intents", key: idempotencyKey, fingerprint: fingerprint) {
            return Outcome(body: stored)
        }
        let id = newID("pi")
        let intent = PaymentIntent(
            id: id, status: .requiresConfirmation, amount: request.amount, currency: request.currency,
            metadata: request.metadata, created: Ledger.now(), clientSecret: try ClientSecret.make(for: id)
        )
        intents[intent.id] = intent
        intentOrder.append(intent.id)
        let body = encoded(intent)
        if let idempotencyKey { idempotency["payment_intents:\(idempotencyKey)"] = StoredAnswer(fingerprint: fingerprint, body: body) }
        return Outcome(body: body)
    }

    mutating func confirm(intentID: String, _ request: ConfirmPaymentIntentRequest) throws(SandboxError) -> Outcome {
        guard var intent = intents[intentID] else { throw .missing("payment intent") }
        guard intent.status != .succeeded else {
            throw SandboxError(status: .conflict, code: "intent_already_succeeded", message: "the payment intent has already succeeded")
        }
        let type: PSPEventType
        switch request.paymentMethod {
        case PaymentMethod.cardOK:
            intent.status = .succeeded
            chargesSucceeded += 1
            type = .paymentIntentSucceeded
        case PaymentMethod.cardDeclined:
            intent.status = .requiresPaymentMethod
            paymentsFailed += 1
            type = .paymentIntentPaymentFailed
        default:
            throw .invalid("unknown payment_method '\(request.paymentMethod)' (use pm_card_ok or pm_card_declined)")
        }
        intents[intentID] = intent
        var published = intent
        published.clientSecret = nil
        return Outcome(body: encoded(intent), deliver: emit(type, .paymentIntent(published)))
    }

    func intent(id: String) throws(SandboxError) -> Outcome {
        guard let intent = intents[id] else { throw .missing("payment intent") }
        return Outcome(body: encoded(intent))
    }

    func listIntents(after: String?, limit: Int) throws(SandboxError) -> Outcome {
        guard (1...100).contains(limit) else { throw .invalid("limit must be within 1...100") }
        var start = 0
        if let after {
            guard let position = intentOrder.firstIndex(of: after) else { throw .invalid("after: no such payment intent") }
            start = position + 1
        }
        let end = min(intentOrder.count, start + limit)
        let page = intentOrder[start..<end].compactMap { intents[$0] }
        return Outcome(body: encoded(PSPList(data: page, hasMore: end < intentOrder.count)))
    }

    mutating func createRefund(_ request: CreateRefundRequest, idempotencyKey: String?) throws(SandboxError) -> Outcome {
        guard request.amount > 0 else { throw .invalid("amount must be a positive integer (minor units)") }
        let fingerprint = encoded(request)
        if let idempotencyKey, let stored = try replay(scope: "refunds", key: idempotencyKey, fingerprint: fingerprint) {
            return Outcome(body: stored)
        }
        guard var intent = intents[request.paymentIntent] else { throw .missing("payment intent") }
        guard intent.status == .succeeded else {
            throw SandboxError(status: .conflict, code: "intent_not_succeeded", message: "only a succeeded payment intent can be refunded")
        }
        guard intent.amountRefunded + request.amount <= intent.amount else {
            throw SandboxError(
                status: .unprocessableContent, code: "amount_too_large",
                message: "refunds would total \(intent.amountRefunded + request.amount) of \(intent.amount) captured"
            )
        }
        let refund = Refund(id: newID("re"), status: .pending, paymentIntent: intent.id, amount: request.amount, created: Ledger.now())
        intent.amountRefunded += request.amount
        intents[intent.id] = intent
        refunds[refund.id] = refund
        refundsByIntent[intent.id, default: []].append(refund.id)
        let body = encoded(refund)
        if let idempotencyKey { idempotency["refunds:\(idempotencyKey)"] = StoredAnswer(fingerprint: fingerprint, body: body) }
        return Outcome(body: body, settle: refund.id)
    }

    /// A pending refund settles: it succeeds and `refund.succeeded` is emitted.
    mutating func settleRefund(_ id: String) -> [Int] {
        guard var refund = refunds[id], refund.status == .pending else { return [] }
        refund.status = .succeeded
        refunds[id] = refund
        return emit(.refundSucceeded, .refund(refund))
    }

    func listRefunds(intentID: String) throws(SandboxError) -> Outcome {
        guard intents[intentID] != nil else { throw .missing("payment intent") }
        let list = (refundsByIntent[intentID] ?? []).compactMap { refunds[$0] }
        return Outcome(body: encoded(PSPList(data: list, hasMore: false)))
    }

    /// The stored answer for a repeated key, or nil for a new key; a key reused with
    /// another request is refused.
    private func replay(scope: String, key: String, fingerprint: [UInt8]) throws(SandboxError) -> [UInt8]? {
        guard let stored = idempotency["\(scope):\(key)"] else { return nil }
        guard stored.fingerprint == fingerprint else {
            throw SandboxError(
                status: .unprocessableContent, code: "idempotency_mismatch",
                message: "this Idempotency-Key was used with another request"
            )
        }
        return stored.body
    }

    private func encoded(_ value: some Encodable) -> [UInt8] {
        // Our own value types always encode.
        (try? PSPJSON.encode(value)) ?? []
    }
}
