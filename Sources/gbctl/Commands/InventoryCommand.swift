import ArgumentParser
import Foundation

struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory", abstract: "Check the stock invariant (admin).", subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no deal's stock is oversold or lost and no reservation outlived its payment window.",
            discussion: """
                For every deal (or --deal): available + reserved + sold equals the stock ever put in, no figure \
                is negative, reserved units match the reservation rows and the unpaid and paid orders, sold units \
                match the confirmed orders; and no unpaid order holds stock longer than its payment window plus \
                the expiry sweeper's period. Prints "ok: N deals checked", or every broken deal and overdue \
                reservation (naming the deal and order).

                Exit codes: 0 healthy, 2 something is broken (also with --json, which prints the server's \
                report), 1 refused (e.g. no such deal), 3/4/5/64 as for every gbctl command.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Check only this deal id.") var deal: Int?

        func validate() throws {
            if let deal, deal < 1 { throw ValidationError("--deal must be a positive id") }
        }

        func run() async throws {
            try await reporting {
                let path = "/v1/admin/inventory/check" + (deal.map { "?dealId=\($0)" } ?? "")
                let reply = try await connection.client().send("GET", path)
                let report = try Report(reply.object)
                if let deal, report.dealsChecked == 0 { throw CLIError(.refused, "there is no deal \(deal) to check") }
                if connection.json { Output.json(reply.body) } else { report.lines.forEach { print($0) } }
                if !report.isHealthy { throw CLIError(.unhealthy, "inventory check: \(report.summary)") }
            }
        }
    }

    /// The answer of `GET /v1/admin/inventory/check`, in words.
    struct Report {
        let healthy: Bool
        let dealsChecked: Int
        let violations: [[String: Any]]
        let overdue: [[String: Any]]

        init(_ object: [String: Any]) throws {
            guard let healthy = object["healthy"] as? Bool, let checked = (object["dealsChecked"] as? NSNumber)?.intValue else {
                throw CLIError(.other, "the server's answer is not an inventory report")
            }
            self.healthy = healthy
            dealsChecked = checked
            violations = object["violations"] as? [[String: Any]] ?? []
            overdue = object["overdueReservations"] as? [[String: Any]] ?? []
        }

        /// Healthy only when the server says so and lists nothing.
        var isHealthy: Bool { healthy && violations.isEmpty && overdue.isEmpty }

        var lines: [String] {
            if isHealthy { return ["ok: \(dealsChecked) deal\(dealsChecked == 1 ? "" : "s") checked"] }
            var lines: [String] = []
            for violation in violations {
                let figure = { (key: String) in Output.text(violation[key]) }
                lines.append(
                    "deal \(figure("dealId")): total \(figure("total")), available \(figure("available")), reserved \(figure("reserved")), "
                        + "sold \(figure("sold")); orders hold \(figure("ordersReserved")) reserved, \(figure("ordersSold")) sold"
                )
                lines += (violation["problems"] as? [String] ?? []).map { "  - \($0)" }
            }
            for late in overdue {
                lines.append(
                    "order \(Output.text(late["orderId"])) of deal \(Output.text(late["dealId"])): unpaid and still holding stock "
                        + "\(Output.text(late["overdueSeconds"])) s after its payment window"
                )
            }
            if lines.isEmpty { lines.append("the server reports the inventory unhealthy without saying why") }
            return lines
        }

        var summary: String {
            "\(violations.count) broken deal\(violations.count == 1 ? "" : "s"), "
                + "\(overdue.count) overdue reservation\(overdue.count == 1 ? "" : "s") (\(dealsChecked) deal\(dealsChecked == 1 ? "" : "s") checked)"
        }
    }
}
