import ArgumentParser
import Foundation

struct DealsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deals", abstract: "List, show, create, update and close deals.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Close.self]
    )

    static func printDeal(_ deal: [String: Any]) {
        Output.fields([
            ("id", Output.text(deal["id"])), ("title", Output.text(deal["title"])), ("status", Output.text(deal["status"])),
            ("list price", Output.money(deal["listPrice"], deal["currency"])),
            ("group price", Output.money(deal["groupPrice"], deal["currency"])),
            ("group size", Output.text(deal["groupSize"])), ("group time limit", "\(Output.text(deal["groupTimeLimitSeconds"])) s"),
            ("sale window", "\(Output.text(deal["startsAt"])) .. \(Output.text(deal["endsAt"]))"),
            ("per-user limit", Output.text(deal["perUserLimit"])), ("image", Output.text(deal["imageUrl"])),
            ("version", Output.text(deal["version"])), ("updated", Output.text(deal["updatedAt"])),
            ("description", Output.text(deal["description"])),
        ])
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deals (all pages unless --limit).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only deals in this status: draft, active, paused, closed.") var status: String?
        @Flag(help: "Only deals on sale now (active and inside their window).") var activeNow = false
        @Option(help: "At most this many deals.") var limit: Int?

        func run() async throws {
            try await reporting {
                let client = try connection.client()
                var items: [[String: Any]] = []
                var cursor: String?
                repeat {
                    var query = ["limit=100"]
                    if let status { query.append("status=\(status.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
                    if activeNow { query.append("active=true") }
                    if let cursor { query.append("cursor=\(cursor)") }
                    let page = try await client.send("GET", "/v1/deals?" + query.joined(separator: "&")).object
                    items += page["items"] as? [[String: Any]] ?? []
                    cursor = page["nextCursor"] as? String
                } while cursor != nil && items.count < (limit ?? .max)
                if let limit { items = Array(items.prefix(limit)) }
                if connection.json {
                    Output.json(try JSONSerialization.data(withJSONObject: items))
                } else {
                    Output.table(
                        ["ID", "STATUS", "TITLE", "GROUP PRICE", "SIZE", "ENDS"],
                        items.map {
                            [Output.text($0["id"]), Output.text($0["status"]), Output.text($0["title"]),
                             Output.money($0["groupPrice"], $0["currency"]), Output.text($0["groupSize"]), Output.text($0["endsAt"])]
                        }
                    )
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one deal.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The deal id.") var id: Int

        func run() async throws {
            try await reporting {
                let reply = try await connection.client().send("GET", "/v1/deals/\(id)")
                connection.json ? Output.json(reply.body) : DealsCommand.printDeal(reply.object)
            }
        }
    }

    /// Fields shared by create and update; only those given are sent.
    struct DealFields: ParsableArguments {
        @Option var title: String?
        @Option var description: String?
        @Option(help: "Image URL; \"none\" removes it (update).") var imageUrl: String?
        @Option(help: "ISO 4217 code, e.g. EUR.") var currency: String?
        @Option(help: "List price in minor units (cents).") var listPrice: Int?
        @Option(help: "Group price in minor units (cents).") var groupPrice: Int?
        @Option(help: "Members a group needs.") var groupSize: Int?
        @Option(help: "Seconds a group has to fill.") var groupTimeLimit: Int?
        @Option(help: "Sale start, RFC 3339 (2026-12-01T18:00:00Z).") var startsAt: String?
        @Option(help: "Sale end, RFC 3339.") var endsAt: String?
        @Option(help: "Most units one buyer may buy.") var perUserLimit: Int?
        @Option(help: "draft, active or paused.") var status: String?

        var body: [String: Any] {
            var body: [String: Any] = [:]
            body["title"] = title
            body["description"] = description
            if let imageUrl { body["imageUrl"] = imageUrl == "none" ? NSNull() : imageUrl }
            body["currency"] = currency
            body["listPrice"] = listPrice
            body["groupPrice"] = groupPrice
            body["groupSize"] = groupSize
            body["groupTimeLimitSeconds"] = groupTimeLimit
            body["startsAt"] = startsAt
            body["endsAt"] = endsAt
            body["perUserLimit"] = perUserLimit
            body["status"] = status
            return body
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a deal (admin).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fields: DealFields
        @Option(help: "Initial stock.") var stock: Int?

        func run() async throws {
            try await reporting {
                var body = fields.body
                body["stock"] = stock
                let reply = try await connection.client().send("POST", "/v1/admin/deals", json: body)
                connection.json ? Output.json(reply.body) : DealsCommand.printDeal(reply.object)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change fields of a deal (admin).",
            discussion: "Sends If-Match with --version, or reads the deal first and uses its current version."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The deal id.") var id: Int
        @OptionGroup var fields: DealFields
        @Option(help: "The version you expect (from `deals show`); the change is refused if it moved on.") var version: Int?

        func run() async throws {
            try await reporting {
                let client = try connection.client()
                let body = fields.body
                guard !body.isEmpty else { throw CLIError(.other, "name at least one field to change (see --help)") }
                var expected = version
                if expected == nil {
                    expected = (try await client.send("GET", "/v1/deals/\(id)").object["version"] as? NSNumber)?.intValue
                }
                let reply = try await client.send("PATCH", "/v1/admin/deals/\(id)", json: body, headers: ["If-Match": "\"v\(expected ?? 0)\""])
                connection.json ? Output.json(reply.body) : DealsCommand.printDeal(reply.object)
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a deal for good (admin).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The deal id.") var id: Int

        func run() async throws {
            try await reporting {
                let reply = try await connection.client().send("POST", "/v1/admin/deals/\(id)/close")
                connection.json ? Output.json(reply.body) : DealsCommand.printDeal(reply.object)
            }
        }
    }
}
