import StrictJSON

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// JSON for token segments. Sorted keys make a token's bytes depend only on its contents.
enum JSONCoding {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Our claim types hold only strings and integers, which always encode.
            fatalError("JWT claims failed to encode: \(error)")
        }
    }

    /// The decoded object, or nil when the bytes are not one JSON object of that shape, or
    /// when the strict reader refuses them: a repeated member name (RFC 7515 §4 and RFC 7519
    /// §4 let a verifier refuse them or take the last; JSONDecoder takes the first, so
    /// `{"alg":"HS256","alg":"none"}` would mean something else to a last-wins parser), U+0000
    /// (`"sub":"erin\u0000x"` would reach PostgreSQL as "erin"), or half a surrogate pair.
    static func decodeObject<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) -> Value? {
        guard case .object = try? JSONReader.read(bytes, limits: limits) else { return nil }
        return try? JSONDecoder().decode(type, from: Data(bytes))
    }

    /// A token is at most a few KiB (`JWTVerifier.maximumTokenBytes`); its JSON is shallow.
    private static let limits = JSONReader.Limits(maxBytes: 8_192, maxDepth: 4)
}
