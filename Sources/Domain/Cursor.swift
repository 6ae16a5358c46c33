/// An opaque pagination cursor: the position after which the next page starts.
/// Encoded as base64url so clients treat it as a token, not a number to compute with.
public struct Cursor: Sendable, Hashable {
    /// The id of the last item of the previous page.
    public let afterID: Int64

    public init(afterID: Int64) {
        self.afterID = afterID
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let prefix = "after:"

    public var token: String {
        let bytes = Array((Self.prefix + String(afterID)).utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) { output.append(Self.alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads a token made by `token`; nil for anything else.
    public init?(token: String) {
        guard !token.isEmpty, token.utf8.count <= 64 else { return nil }
        var bits = 0
        var bitCount = 0
        var bytes: [UInt8] = []
        for character in token.utf8 {
            guard let digit = Self.alphabet.firstIndex(of: character) else { return nil }
            bits = (bits << 6) | digit
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes.append(UInt8((bits >> bitCount) & 0xFF))
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix(Self.prefix), let id = Int64(text.dropFirst(Self.prefix.count)), id >= 0,
            Cursor(afterID: id).token == token
        else { return nil }
        self.afterID = id
    }
}
