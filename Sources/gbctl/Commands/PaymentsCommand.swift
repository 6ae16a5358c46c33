import ArgumentParser
import Foundation

struct PaymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments", abstract: "Reconcile payments with the payment provider (admin).", subcommands: [Reconcile.self]
    )

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare our payments and refunds with the provider's records.",
            discussion: """
                Prints "ok: …" when both sides agree, else one row per mismatch: a payment missing at the \
                provider, one unknown to us, or a status, amount or refund that differs.

                Exit codes: 0 all agree, 2 any mismatch (also with --json, which prints the server's report), \
                1/3/4/5/64 as for every gbctl command.
                """
        )
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reporting {
                let reply: APIClient.Reply
                do {
                    reply = try await connection.client().send("GET", "/v1/admin/payments/reconcile")
                } catch let error as CLIError where error.kind == .refused && error.description.hasPrefix("404 ") {
                    throw CLIError(.refused, error.description + "\n  (this server has no payment reconciliation; it needs a newer groupbuyd)")
                }
                let report = try Report(reply.object)
                if connection.json { Output.json(reply.body) } else { report.lines.forEach { print($0) } }
                if !report.isHealthy { throw CLIError(.unhealthy, "payments reconcile: \(report.summary)") }
            }
        }
    }

    /// The answer of `GET /v1/admin/payments/reconcile`, in words.
    struct Report {
        let healthy: Bool
        let ours: Int
        let provider: Int
        let mismatches: [[String: Any]]

        init(_ object: [String: Any]) throws {
            guard let healthy = object["healthy"] as? Bool, let checked = object["checked"] as? [String: Any],
                let ours = (checked["ours"] as? NSNumber)?.intValue, let provider = (checked["provider"] as? NSNumber)?.intValue
            else {
                throw CLIError(.other, "the server's answer is not a reconciliation report")
            }
            self.healthy = healthy
            self.ours = ours
            self.provider = provider
            mismatches = object["mismatches"] as? [[String: Any]] ?? []
        }

        /// Healthy only when the server says so and lists nothing.
        var isHealthy: Bool { healthy && mismatches.isEmpty }

        var lines: [String] {
            if isHealthy { return ["ok: \(ours) payment\(ours == 1 ? "" : "s") of ours and \(provider) at the provider agree"] }
            if mismatches.isEmpty { return ["the server reports a mismatch without saying which"] }
            return Output.tableLines(
                ["KIND", "PAYMENT", "ORDER", "INTENT", "OURS", "PROVIDER", "DETAIL"],
                mismatches.map {
                    [Output.text($0["kind"]), Output.text($0["paymentId"]), Output.text($0["orderId"]), Output.text($0["intentId"]),
                     Output.text($0["ours"]), Output.text($0["provider"]), Output.text($0["detail"])]
                }
            )
        }

        var summary: String {
            "\(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es") (\(ours) of ours, \(provider) at the provider checked)"
        }
    }
}
