import ArgumentParser
import Foundation

struct StockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stock", abstract: "Add to and show a deal's stock (admin).", subcommands: [Add.self, Show.self]
    )

    static func printStock(_ stock: [String: Any]) {
        Output.fields([
            ("deal", Output.text(stock["dealId"])), ("total", Output.text(stock["total"])), ("available", Output.text(stock["available"])),
            ("reserved", Output.text(stock["reserved"])), ("sold", Output.text(stock["sold"])),
        ])
        print("")
        Output.table(
            ["SLOT", "AVAILABLE", "RESERVED", "SOLD"],
            (stock["slots"] as? [[String: Any]] ?? []).map {
                [Output.text($0["slot"]), Output.text($0["available"]), Output.text($0["reserved"]), Output.text($0["sold"])]
            }
        )
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add units, spread over the deal's stock slots.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The deal id.") var id: Int
        @Argument(help: "Units to add.") var quantity: Int

        func run() async throws {
            try await reporting {
                let reply = try await connection.client().send("POST", "/v1/admin/deals/\(id)/stock", json: ["quantity": quantity])
                connection.json ? Output.json(reply.body) : StockCommand.printStock(reply.object)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a deal's stock per slot.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The deal id.") var id: Int

        func run() async throws {
            try await reporting {
                let reply = try await connection.client().send("GET", "/v1/admin/deals/\(id)/stock")
                connection.json ? Output.json(reply.body) : StockCommand.printStock(reply.object)
            }
        }
    }
}
