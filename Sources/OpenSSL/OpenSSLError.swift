internal import COpenSSL

/// A failure reported by OpenSSL, with the text of its error queue.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    /// What we were doing, then OpenSSL's own messages (e.g. "RAND_bytes: ... unable to fetch ...").
    public let description: String

    /// Takes every entry off this thread's OpenSSL error queue so none is misreported later.
    static func drain(context: String? = nil) -> OpenSSLError {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            messages.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let detail = messages.isEmpty ? "no OpenSSL error recorded" : messages.joined(separator: "; ")
        return OpenSSLError(description: context.map { "\($0): \(detail)" } ?? detail)
    }
}
