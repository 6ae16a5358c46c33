import ArgumentParser
import Foundation

/// `--limit`, `--all` and `--cursor` of the admin lists (newest first, pages of 1 to 500).
struct PageOptions: ParsableArguments {
    @Option(help: "Items per page, 1 to 500 (default 50; 500 with --all).") var limit: Int?
    @Flag(help: "Follow the pages to the end instead of stopping after the first.") var all = false
    @Option(help: "Start after this cursor (the nextCursor of an earlier --json page).") var cursor: String?

    func validate() throws {
        if let limit, !(1...500).contains(limit) { throw ValidationError("--limit must be from 1 to 500") }
    }

    var pageSize: Int { limit ?? (all ? 500 : 50) }

    /// For people reading a table: say on stderr that there is more than they see.
    static func noteMore(_ listing: APIClient.Listing) {
        guard let next = listing.nextCursor else { return }
        FileHandle.standardError.write(Data("(more: --all for every page, or --cursor \(next) for the next)\n".utf8))
    }
}
