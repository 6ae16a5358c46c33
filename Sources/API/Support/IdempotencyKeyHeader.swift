import HTTPCodec
import HTTPServer
import OpenSSL
import Idempotency

/// The optional `Idempotency-Key` of a creating POST, with a digest of the request so that
/// reusing the key for a different request can be told apart from a retry.
enum IdempotencyKeyHeader {
    static let maxLength = 255

    /// nil when the request carries no key; 400 when the key is empty, too long or not
    /// printable ASCII.
    static func claim(of request: Request) throws(HTTPError) -> IdempotencyClaim? {
        guard let key = request.headers.first("idempotency-key") else { return nil }
        guard (1...maxLength).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw HTTPError(
                .badRequest, type: ProblemType.badIdempotencyKey,
                detail: "Idempotency-Key must be 1 to \(maxLength) printable ASCII characters without spaces"
            )
        }
        var digested: [UInt8] = []
        digested.append(contentsOf: request.methodName.bytes)
        digested.append(0x20)
        digested.append(contentsOf: request.path.bytes)
        digested.append(0x0A)
        digested.append(contentsOf: request.body.bytes)
        return IdempotencyClaim(key: key, requestHash: Hex.encode(SHA256.hash(digested)))
    }
}
