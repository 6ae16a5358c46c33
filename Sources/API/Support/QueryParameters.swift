import Foundation
import HTTPCodec
import HTTPServer

/// The `name=value` pairs of a request's query string, percent-decoded (`+` is a space).
struct QueryParameters {
    private var pairs: [(name: String, value: String)] = []

    init(_ request: Request) throws(HTTPError) {
        guard let query = request.query, !query.isEmpty else { return }
        for part in query.bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(pieces[0]), let value = Self.decode(pieces.count > 1 ? pieces[1] : []) else {
                throw HTTPError(.badRequest, type: ProblemType.badQuery, detail: "the query string is not valid percent-encoded UTF-8")
            }
            // PostgreSQL text cannot hold U+0000 (libpq would cut the value at it).
            guard !name.utf8.contains(0), !value.utf8.contains(0) else {
                throw HTTPError(.badRequest, type: ProblemType.badQuery, detail: "the query string holds %00 (NUL), which is not accepted")
            }
            pairs.append((name, value))
        }
    }

    subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// `+` is a space in form encoding; then %XX escapes, which must make valid UTF-8.
    private static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
