import ArgumentParser
import Foundation

/// gbctl: the operators' command line for a GroupBuy service.
@main
struct GroupBuyControl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gbctl",
        abstract: "Administer a GroupBuy service: migrations, deals, stock, orders, groups, refunds, outbox, checks, tokens, "
            + "audit, status.",
        discussion: """
            The server and token come from --server/--token, else GBCTL_SERVER/GBCTL_TOKEN, else the \
            config file (--config, GBCTL_CONFIG or ~/.config/gbctl/config), lines of `key: value` with \
            keys server and token. With --json, lists print {"items": [...], "nextCursor": ...}, other \
            commands the server's object. Exit codes: 0 ok, 1 refused by the server (4xx), \
            2 a check found something broken (`inventory check`, `payments reconcile`), \
            3 server error (5xx), 4 server or database unreachable, or the server unavailable (503), \
            5 other failure, 6 `status`: a dependency of the server is down, 64 bad usage.
            """,
        version: "0.1.0",
        subcommands: [
            MigrateCommand.self, DealsCommand.self, StockCommand.self, OrdersCommand.self, GroupsCommand.self, InventoryCommand.self,
            PaymentsCommand.self, OutboxCommand.self, TokenCommand.self, AuditCommand.self, StatusCommand.self,
        ]
    )

    /// ArgumentParser's own main, after refusing an unknown command with a suggestion
    /// (`gbctl deal list`: did you mean `deals`?), which it would only call an unexpected argument.
    static func main() async {
        if let message = UnknownCommand.message(for: Array(CommandLine.arguments.dropFirst()), root: Self.self) {
            FileHandle.standardError.write(Data("gbctl: \(message)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            await Transport.shutdown()
            exit(withError: error)
        }
        await Transport.shutdown()
    }
}
