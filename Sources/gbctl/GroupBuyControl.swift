import ArgumentParser

/// gbctl: the operators' command line for a GroupBuy service.
@main
struct GroupBuyControl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gbctl",
        abstract: "Administer a GroupBuy service: migrations, deals, stock, orders, groups, refunds, checks, tokens, audit, status.",
        discussion: """
            The server and token come from --server/--token, else GBCTL_SERVER/GBCTL_TOKEN, else the \
            config file (--config, GBCTL_CONFIG or ~/.config/gbctl/config), lines of `key: value` with \
            keys server and token. Exit codes: 0 ok, 1 refused by the server (4xx), \
            2 a check found something broken (`inventory check`, `payments reconcile`), \
            3 server error (5xx), 4 server or database unreachable, 5 other failure, 64 bad usage.
            """,
        version: "0.1.0",
        subcommands: [
            MigrateCommand.self, DealsCommand.self, StockCommand.self, OrdersCommand.self, GroupsCommand.self, InventoryCommand.self,
            PaymentsCommand.self, TokenCommand.self, AuditCommand.self, StatusCommand.self,
        ]
    )
}
