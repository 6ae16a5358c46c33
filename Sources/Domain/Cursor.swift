import Foundation

/// An opaque pagination cursor: the position after which the next page starts.
/// Encoded as unpadded base64url so clients treat it as a token, not a number to compute with.
public struct Cursor: Sendable, Hashable {
    /// The id of the last item of the previous page.
    public let afterID: Int64

    public init(afterID: Int64) {
        self.afterID = afterID
    }

    private static let prefix = "after:"

    public var token: String {
        Data((Self.prefix + String(afterID)).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token made by `token`; nil for anything else (the round trip must give back
    /// exactly the token, so no other spelling of the same bytes is accepted).
    public init?(token: String) {
        guard !token.isEmpty, token.utf8.count <= 64, !token.contains("=") else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.hasPrefix(Self.prefix),
            let id = Int64(text.dropFirst(Self.prefix.count)), id >= 0, Cursor(afterID: id).token == token
        else { return nil }
        self.afterID = id
    }
}
