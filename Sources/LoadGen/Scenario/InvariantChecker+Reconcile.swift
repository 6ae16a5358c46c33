public import Foundation
public import HTTPClient
import HTTPCodec

extension InvariantChecker {
    /// The service's comparison of our payments with the provider's intents
    /// (`GET /v1/admin/payments/reconcile`), since `since` when given.
    public static func reconcile(context: RunContext, clients: HTTPClients, since: Date? = nil) async -> CheckOutcome {
        let admin = AdminClient(clients: clients, endpoint: context.service, bearer: context.adminToken, timeout: .seconds(120))
        let query = since.map { "?since=" + rfc3339($0) } ?? ""
        do {
            let answer = try await admin.send(.get, "/v1/admin/payments/reconcile" + query, accept: [200])
            return reconciliationOutcome(answer.object)
        } catch {
            return CheckOutcome(name: "reconciliation", passed: false, detail: "\(error)")
        }
    }

    /// The outcome of a reconcile answer: healthy, or its first mismatches by order.
    static func reconciliationOutcome(_ object: [String: Any]) -> CheckOutcome {
        let checked = object["checked"] as? [String: Any] ?? [:]
        let counts = "\(checked["ours"] as? Int ?? 0) payments against \(checked["provider"] as? Int ?? 0) provider intents"
        let mismatches = object["mismatches"] as? [[String: Any]] ?? []
        if object["healthy"] as? Bool == true && mismatches.isEmpty {
            return CheckOutcome(name: "reconciliation", passed: true, detail: "\(counts): they agree")
        }
        let listed = mismatches.prefix(5).map { mismatch in
            let order = (mismatch["orderId"] as? Int).map { "order \($0)" } ?? "intent \(mismatch["intentId"] as? String ?? "?")"
            return "\(order): \(mismatch["kind"] as? String ?? "?") (\(mismatch["detail"] as? String ?? ""))"
        }
        let more = mismatches.count > 5 ? "; and \(mismatches.count - 5) more" : ""
        return CheckOutcome(name: "reconciliation", passed: false, detail: "\(counts), \(mismatches.count) mismatches: " + listed.joined(separator: "; ") + more)
    }
}
