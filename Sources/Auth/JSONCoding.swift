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

    /// The decoded object, or nil when the bytes are not a JSON object of that shape or repeat
    /// a member name.
    static func decodeObject<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) -> Value? {
        guard let value = try? JSONDecoder().decode(type, from: Data(bytes)),
            !JSONMemberNames.containDuplicates(bytes)
        else { return nil }
        return value
    }
}
