import ArgumentParser
import Foundation

struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "List groups and show one with its orders (admin).", subcommands: [List.self, Show.self]
    )

    static let statuses = ["open", "succeeded", "failed"]

    /// `2/3`: members of the group's size.
    static func members(_ group: [String: Any]) -> String {
        "\(Output.text(group["members"]))/\(Output.text(group["size"]))"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Groups of every deal, newest first, with their leader and order ids.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only groups in this status: \(GroupsCommand.statuses.joined(separator: ", ")).") var status: String?
        @Option(help: "Only groups of this deal id.") var deal: Int?
        @OptionGroup var page: PageOptions

        func validate() throws {
            if let status, !GroupsCommand.statuses.contains(status) {
                throw ValidationError("--status must be one of \(GroupsCommand.statuses.joined(separator: ", "))")
            }
            if let deal, deal < 1 { throw ValidationError("--deal must be a positive id") }
        }

        func run() async throws {
            try await reporting {
                let listing = try await connection.client().list(
                    "/v1/admin/groups", filters: [("status", status), ("dealId", deal.map(String.init))],
                    limit: page.pageSize, cursor: page.cursor, all: page.all
                )
                if connection.json { return Output.json(try listing.json) }
                Output.table(
                    ["ID", "DEAL", "STATUS", "MEMBERS", "PAID", "LEADER", "EXPIRES", "CLOSED", "ORDERS"],
                    listing.items.map {
                        [Output.text($0["id"]), Output.text($0["dealId"]), Output.text($0["status"]), GroupsCommand.members($0),
                         Output.text($0["paidMembers"]), Output.text($0["leaderUserId"]), Output.text($0["expiresAt"]),
                         Output.text($0["closedAt"]), ($0["orderIds"] as? [Any] ?? []).map { Output.text($0) }.joined(separator: ",")]
                    }
                )
                PageOptions.noteMore(listing)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One group (its public figures) and every order in it.",
            discussion: "With --json: {\"group\": <the public group>, \"orders\": [<order>…]}."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The group id.") var id: Int

        func run() async throws {
            try await reporting {
                let client = try connection.client()
                let group = try await client.send("GET", "/v1/groups/\(id)")
                let orders = try await client.list("/v1/admin/orders", filters: [("groupId", String(id))], limit: 500, cursor: nil, all: true)
                if connection.json {
                    let object: [String: Any] = ["group": (try? JSONSerialization.jsonObject(with: group.body)) ?? NSNull(), "orders": orders.items]
                    return Output.json(try JSONSerialization.data(withJSONObject: object))
                }
                let shown = group.object
                Output.fields([
                    ("id", Output.text(shown["id"])), ("deal", Output.text(shown["dealId"])), ("status", Output.text(shown["status"])),
                    ("members", GroupsCommand.members(shown)), ("paid members", Output.text(shown["paidMembers"])),
                    ("seats left", Output.text(shown["seatsLeft"])), ("expires", Output.text(shown["expiresAt"])),
                    ("created", Output.text(shown["createdAt"])), ("closed", Output.text(shown["closedAt"])),
                ])
                print("")
                print("orders")
                for line in Output.tableLines(OrdersCommand.tableHeader, OrdersCommand.tableRows(orders.items)) { print("  " + line) }
            }
        }
    }
}
