import ArgumentParser
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Read the audit log (admin).", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admin changes, newest first.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only changes of this entity id (e.g. a deal id).") var entity: String?
        @Option(help: "At most this many entries (1 to 500).") var limit = 50

        /// A usage error (exit 64) like every other bad flag, before anything is sent.
        func validate() throws {
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
        }

        func run() async throws {
            try await reporting {
                var path = "/v1/admin/audit?limit=\(limit)"
                if let entity { path += "&entityId=\(entity.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                let reply = try await connection.client().send("GET", path)
                if connection.json { return Output.json(reply.body) }
                Output.table(
                    ["ID", "AT", "ACTOR", "ACTION", "ENTITY", "REQUEST"],
                    (reply.object["items"] as? [[String: Any]] ?? []).map {
                        [Output.text($0["id"]), Output.text($0["at"]), Output.text($0["actor"]), Output.text($0["action"]),
                         "\(Output.text($0["entity"])) \(Output.text($0["entityId"]))", Output.text($0["requestId"])]
                    }
                )
            }
        }
    }
}
