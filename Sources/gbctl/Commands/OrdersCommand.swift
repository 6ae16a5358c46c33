import ArgumentParser
import Foundation

struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "List, show and refund buyers' orders (admin).", subcommands: [List.self, Show.self, Refund.self]
    )

    static let statuses = ["pending_payment", "paid", "confirmed", "cancelled", "expired", "refund_pending", "refunded"]

    static func tableRows(_ orders: [[String: Any]]) -> [[String]] {
        orders.map {
            let payment = $0["payment"] as? [String: Any]
            return [
                Output.text($0["id"]), Output.text($0["status"]), Output.text($0["dealId"]), Output.text($0["groupId"]),
                Output.text($0["userId"]), Output.text($0["quantity"]), Output.money($0["amount"], $0["currency"]),
                paymentSummary(payment), Output.text($0["createdAt"]),
            ]
        }
    }

    static let tableHeader = ["ID", "STATUS", "DEAL", "GROUP", "USER", "QTY", "AMOUNT", "PAYMENT", "CREATED"]

    /// `succeeded`, or `refund_pending (refund requested)`; `-` without a payment.
    static func paymentSummary(_ payment: [String: Any]?) -> String {
        guard let payment else { return "-" }
        let status = Output.text(payment["status"])
        guard let refund = payment["refund"] as? [String: Any] else { return status }
        return "\(status) (refund \(Output.text(refund["status"])))"
    }

    /// The order, its payment and refund, and its history (when the answer has one).
    static func printOrder(_ order: [String: Any]) {
        Output.fields([
            ("id", Output.text(order["id"])), ("status", Output.text(order["status"])), ("user", Output.text(order["userId"])),
            ("deal", Output.text(order["dealId"])), ("group", Output.text(order["groupId"])), ("quantity", Output.text(order["quantity"])),
            ("unit price", Output.money(order["unitPrice"], order["currency"])), ("amount", Output.money(order["amount"], order["currency"])),
            ("pay by", Output.text(order["expiresAt"])), ("created", Output.text(order["createdAt"])),
            ("updated", Output.text(order["updatedAt"])),
        ])
        print("")
        if let payment = order["payment"] as? [String: Any] {
            print("payment")
            var pairs: [(String, String)] = [
                ("id", Output.text(payment["id"])), ("status", Output.text(payment["status"])),
                ("amount", Output.money(payment["amount"], payment["currency"])), ("intent", Output.text(payment["intentId"])),
                ("created", Output.text(payment["createdAt"])), ("updated", Output.text(payment["updatedAt"])),
            ]
            if let refund = payment["refund"] as? [String: Any] {
                pairs.append(("refund", "\(Output.text(refund["status"])), \(Output.money(refund["amount"], payment["currency"])), "
                    + "\(Output.text(refund["reason"])) (refund id \(Output.text(refund["id"])))"))
            } else {
                pairs.append(("refund", "none"))
            }
            Output.fields(pairs, indent: "  ")
        } else {
            print("payment: none")
        }
        if let history = order["history"] as? [[String: Any]] {
            print("")
            print("history")
            for line in Output.tableLines(
                ["AT", "FROM", "TO", "ACTOR"],
                history.map { [Output.text($0["at"]), Output.text($0["from"]), Output.text($0["to"]), Output.text($0["actor"])] }
            ) {
                print("  " + line)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every buyer's orders, newest first; filters combine.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only orders in this status: \(OrdersCommand.statuses.joined(separator: ", ")).") var status: String?
        @Option(help: "Only orders of this deal id.") var deal: Int?
        @Option(help: "Only orders of this user id.") var user: String?
        @Option(help: "Only orders in this group id.") var group: Int?
        @OptionGroup var page: PageOptions

        func validate() throws {
            if let status, !OrdersCommand.statuses.contains(status) {
                throw ValidationError("--status must be one of \(OrdersCommand.statuses.joined(separator: ", "))")
            }
            if let deal, deal < 1 { throw ValidationError("--deal must be a positive id") }
            if let group, group < 1 { throw ValidationError("--group must be a positive id") }
        }

        func run() async throws {
            try await reporting {
                let listing = try await connection.client().list(
                    "/v1/admin/orders",
                    filters: [("status", status), ("dealId", deal.map(String.init)), ("userId", user), ("groupId", group.map(String.init))],
                    limit: page.pageSize, cursor: page.cursor, all: page.all
                )
                if connection.json { return Output.json(try listing.json) }
                Output.table(OrdersCommand.tableHeader, OrdersCommand.tableRows(listing.items))
                PageOptions.noteMore(listing)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One order with its payment, refund and state history.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The order id.") var id: Int

        func run() async throws {
            try await reporting {
                let reply = try await connection.client().send("GET", "/v1/admin/orders/\(id)")
                connection.json ? Output.json(reply.body) : OrdersCommand.printOrder(reply.object)
            }
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refund a paid or confirmed order in full; prints the order after (status refund_pending).",
            discussion: """
                The money goes back through the payment provider in the background; `orders show` follows it \
                to refunded. An order that is not paid or confirmed is refused (exit 1, with the server's reason).

                Safe to run again: the request carries an Idempotency-Key, by default gbctl-refund-order-<id>, \
                made from the order id, so a second run (after a timeout, say) is recognised by the server and \
                gets the first run's answer (exit 0) rather than a refusal; the order is refunded once either \
                way. The server keeps a key for a day, per admin user. Give --idempotency-key to choose your own.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The order id.") var id: Int
        @Option(help: "Idempotency-Key to send (default: gbctl-refund-order-<id>; 1-255 printable ASCII, no spaces).")
        var idempotencyKey: String?

        func validate() throws {
            if let key = idempotencyKey, !(1...255).contains(key.utf8.count) || !key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
                throw ValidationError("--idempotency-key must be 1 to 255 printable ASCII characters without spaces")
            }
        }

        func run() async throws {
            try await reporting {
                let key = idempotencyKey ?? "gbctl-refund-order-\(id)"
                let reply = try await connection.client().send("POST", "/v1/admin/orders/\(id)/refund", headers: ["Idempotency-Key": key])
                connection.json ? Output.json(reply.body) : OrdersCommand.printOrder(reply.object)
            }
        }
    }
}
