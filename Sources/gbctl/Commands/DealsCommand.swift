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

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            try await reporting {
                let client = try connection.client()
                var listing = APIClient.Listing(items: [], nextCursor: nil)
                repeat {
                    // Pages end where --limit does, so nextCursor continues exactly after the last item.
                    var query = ["limit=\(min(100, (limit ?? .max) - listing.items.count))"]
                    if let status { query.append("status=\(status.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
                    if activeNow { query.append("active=true") }
                    if let cursor = listing.nextCursor { query.append("cursor=\(APIClient.escape(cursor))") }
                    let page = try await client.send("GET", "/v1/deals?" + query.joined(separator: "&")).object
                    listing.items += page["items"] as? [[String: Any]] ?? []
                    listing.nextCursor = page["nextCursor"] as? String
                } while listing.nextCursor != nil && listing.items.count < (limit ?? .max)
                if connection.json {
                    Output.json(try listing.json)
                } else {
                    Output.table(
                        ["ID", "STATUS", "TITLE", "GROUP PRICE", "SIZE", "ENDS"],
                        listing.items.map {
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
            discussion: "Sends If-Match with --if-version, or reads the deal first and uses its current version."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The deal id.") var id: Int
        @OptionGroup var fields: DealFields
        @Option(help: "The deal version you expect (from `deals show`); the change is refused (412) if it moved on.")
        var ifVersion: Int?

        func run() async throws {
            try await reporting {
                let client = try connection.client()
                let body = fields.body
                guard !body.isEmpty else { throw CLIError(.other, "name at least one field to change (see --help)") }
                var expected = ifVersion
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
