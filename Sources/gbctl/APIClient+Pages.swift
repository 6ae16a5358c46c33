import Foundation

extension APIClient {
    /// Items of a paged admin list and the cursor of the page after them (nil after the last).
    struct Listing {
        var items: [[String: Any]]
        var nextCursor: String?

        /// The server's page shape, so `--json` output looks the same with or without `--all`.
        var json: Data {
            get throws {
                try JSONSerialization.data(withJSONObject: ["items": items, "nextCursor": nextCursor.map { $0 as Any } ?? NSNull()])
            }
        }
    }

    /// One page of `path` (from `cursor`), or with `all` every page after it, following `nextCursor`.
    /// Filters whose value is nil are left out.
    func list(_ path: String, filters: [(String, String?)], limit: Int, cursor: String?, all: Bool) async throws -> Listing {
        var listing = Listing(items: [], nextCursor: cursor)
        var seen: Set<String> = []
        repeat {
            var query = filters.compactMap { name, value in value.map { (name, $0) } } + [("limit", String(limit))]
            if let cursor = listing.nextCursor {
                // A server that hands out the same cursor twice would keep us here for ever.
                guard seen.insert(cursor).inserted else { throw CLIError(.other, "the server returned cursor \(cursor) twice") }
                query.append(("cursor", cursor))
            }
            let page = try await send("GET", path + "?" + Self.query(query)).object
            listing.items += page["items"] as? [[String: Any]] ?? []
            listing.nextCursor = page["nextCursor"] as? String
        } while all && listing.nextCursor != nil
        return listing
    }

    /// `name=value&…`, percent-encoded (only RFC 3986 unreserved characters stay as they are).
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
