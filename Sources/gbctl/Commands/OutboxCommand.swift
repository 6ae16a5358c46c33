import ArgumentParser
import Foundation

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Show the outbox of calls to the payment provider (admin).", subcommands: [List.self]
    )

    static let states = ["queued", "running", "done", "dead"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Outbox jobs (refunds to send), newest first.",
            discussion: """
                A job that failed payments.outbox_max_attempts times is dead: the workers no longer try it. \
                `--state dead` lists those with their last error; /metrics counts them in groupbuy_outbox_jobs{state="dead"}.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only jobs in this state: \(OutboxCommand.states.joined(separator: ", ")).") var state: String?
        @OptionGroup var page: PageOptions

        func validate() throws {
            if let state, !OutboxCommand.states.contains(state) {
                throw ValidationError("--state must be one of \(OutboxCommand.states.joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await reporting {
                let listing = try await connection.client().list(
                    "/v1/admin/outbox", filters: [("state", state)], limit: page.pageSize, cursor: page.cursor, all: page.all
                )
                if connection.json { return Output.json(try listing.json) }
                Output.table(
                    ["ID", "KIND", "STATE", "ATTEMPTS", "PAYLOAD", "RUN AT", "UPDATED", "LAST ERROR"],
                    listing.items.map { job in
                        let payload = (job["payload"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
                        return [
                            Output.text(job["id"]), Output.text(job["kind"]), Output.text(job["state"]), Output.text(job["attempts"]),
                            payload.map { "\($0.key)=\(Output.text($0.value))" }.joined(separator: ","), Output.text(job["runAt"]),
                            Output.text(job["updatedAt"]), Output.text(job["lastError"]),
                        ]
                    }
                )
                PageOptions.noteMore(listing)
            }
        }
    }
}
