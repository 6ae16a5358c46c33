import PSPWire
public import Postgres

/// Our payments compared with the provider's intents: every difference that means money
/// taken or given back that we do not know of, or the other way round; and the signed webhooks
/// whose money did not match their payment (they changed nothing and need a person).
public enum Reconciliation {
    public struct Mismatch: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case missingAtProvider = "missing_at_provider"
            case unknownToUs = "unknown_to_us"
            case statusDiffers = "status_differs"
            case amountDiffers = "amount_differs"
            case currencyDiffers = "currency_differs"
            case refundDiffers = "refund_differs"
            /// A webhook named our payment with another intent, amount or currency.
            case webhookMismatch = "webhook_mismatch"
        }

        public var kind: Kind
        public var paymentID: Int?
        public var orderID: Int?
        public var intentID: String?
        public var ours: String?
        public var provider: String?
        public var detail: String
    }

    public struct Report: Sendable {
        public var ours: Int
        public var provider: Int
        public var mismatches: [Mismatch]
    }

    struct OurPayment {
        let id: Int
        let orderID: Int
        let intentID: String
        let amount: Int
        let currency: String
        let status: String
        let refundStatus: String?
    }

    /// Reads the provider's intents and our payments made since `sinceMilliseconds` (Unix
    /// time; 0: all) and compares them.
    public static func run(provider: any PaymentProvider, sinceMilliseconds: Int64 = 0, pool: PostgresPool) async throws -> Report {
        let since = sinceMilliseconds / 1_000
        var intents: [PaymentIntent] = []
        var after: String?
        while true {
            let page = try await provider.intents(after: after, limit: 100)
            intents += page.intents.filter { $0.created >= since }
            guard page.hasMore, let last = page.intents.last else { break }
            after = last.id
        }
        let rows = try await pool.withConnection { try await $0.execute(PaymentsStatements.paymentsForReconciliation.name, [.int(Int(sinceMilliseconds))]) }
        var ours: [OurPayment] = []
        for index in 0..<rows.count {
            let row = rows[index]
            ours.append(
                OurPayment(
                    id: row.int(0) ?? 0, orderID: row.int(1) ?? 0, intentID: row.string(2) ?? "", amount: row.int(3) ?? 0,
                    currency: row.string(6) ?? "", status: row.string(4) ?? "", refundStatus: row.string(5)
                )
            )
        }
        let events = try await pool.withConnection {
            try await $0.execute(PaymentsStatements.mismatchedEvents.name, [.int(Int(sinceMilliseconds))])
        }
        let refused = (0..<events.count).map { webhookMismatch(events[$0]) }
        let mismatches = compare(ours: ours, provider: intents) + refused
        return Report(ours: ours.count, provider: intents.count, mismatches: mismatches)
    }

    /// A row of `mismatchedEvents` as a mismatch: what the event said against what we have.
    static func webhookMismatch(_ row: PostgresRow) -> Mismatch {
        let outcome = row.string(1) ?? ""
        let (field, said, ours): (String, String?, String?) =
            switch outcome {
            case "intent_mismatch": ("intent", row.string(4), row.string(7))
            case "amount_mismatch": ("amount", row.string(5), row.string(8))
            default: ("currency", row.string(6), row.string(9))
            }
        return Mismatch(
            kind: .webhookMismatch, paymentID: row.int(2), orderID: row.int(3), intentID: row.string(7),
            ours: row.string(10), provider: outcome,
            detail: "event \(row.string(0) ?? "?") named this payment with \(field) \(said ?? "none") "
                + "(ours: \(ours ?? "none")); it changed nothing"
        )
    }

    static func compare(ours: [OurPayment], provider intents: [PaymentIntent]) -> [Mismatch] {
        let byIntent = Dictionary(intents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ourIntents = Set(ours.map(\.intentID))
        var mismatches: [Mismatch] = []
        for payment in ours {
            func mismatch(_ kind: Mismatch.Kind, _ theirs: String?, _ detail: String) {
                mismatches.append(
                    Mismatch(
                        kind: kind, paymentID: payment.id, orderID: payment.orderID, intentID: payment.intentID, ours: payment.status,
                        provider: theirs, detail: detail
                    )
                )
            }
            guard let intent = byIntent[payment.intentID] else {
                mismatch(.missingAtProvider, nil, "the provider has no intent \(payment.intentID)")
                continue
            }
            if intent.amount != payment.amount {
                mismatch(.amountDiffers, intent.status.rawValue, "we charge \(payment.amount), the provider \(intent.amount)")
            }
            if intent.currency.uppercased() != payment.currency {
                let detail = "we charge in \(payment.currency), the provider in \(intent.currency)"
                mismatch(.currencyDiffers, intent.status.rawValue, detail)
            }
            let charged = intent.status == .succeeded
            let weCharged = ["succeeded", "refund_pending", "refunded"].contains(payment.status)
            if charged != weCharged {
                mismatch(.statusDiffers, intent.status.rawValue, charged ? "the provider charged, we did not record it" : "we recorded a charge the provider does not have")
            }
            let refunded = intent.amountRefunded > 0
            let weRefunded = payment.status == "refunded"
            if intent.amountRefunded > intent.amount {
                mismatch(.refundDiffers, intent.status.rawValue, "the provider refunded \(intent.amountRefunded) of \(intent.amount)")
            } else if refunded != weRefunded && !(refunded && payment.refundStatus == "submitted") {
                mismatch(
                    .refundDiffers, intent.status.rawValue,
                    refunded ? "the provider refunded \(intent.amountRefunded), we have not recorded it" : "we recorded a refund the provider does not have"
                )
            }
        }
        for intent in intents where !ourIntents.contains(intent.id) {
            mismatches.append(
                Mismatch(
                    kind: .unknownToUs, paymentID: intent.metadata["payment_id"].flatMap(Int.init), orderID: intent.metadata["order_id"].flatMap(Int.init),
                    intentID: intent.id, ours: nil, provider: intent.status.rawValue,
                    detail: intent.status == .succeeded ? "money taken for an intent we do not know" : "an intent we do not know"
                )
            )
        }
        return mismatches
    }
}
