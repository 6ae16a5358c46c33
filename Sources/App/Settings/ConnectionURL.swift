import Foundation

/// What may be shown of a libpq or Redis connection string: the password masked, and the
/// host and port it points at (for messages that must say where a connection was tried).
enum ConnectionURL {
    /// `postgresql://ana:secret@h/db` → `postgresql://ana:***@h/db`; `password=secret` (a
    /// key=value string or a URL query parameter) → `password=***`.
    static func redacted(_ text: String) -> String {
        var result = text
        if let scheme = result.range(of: "://") {
            let authorityEnd = result[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" } ?? result.endIndex
            let authority = result[scheme.upperBound..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        return maskingPasswordParameters(result)
    }

    /// `host:port` of the first host in a libpq URL or key=value string, or a Redis URL
    /// (`defaultPort` when none is given); nil when there is no host (a Unix socket default).
    static func address(_ text: String, defaultPort: Int) -> String? {
        if let scheme = text.range(of: "://") {
            var authority = text[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            let first = authority.prefix { $0 != "," }
            guard !first.isEmpty else { return nil }
            if first.hasPrefix("["), let close = first.firstIndex(of: "]") {
                let port = first[close...].dropFirst().hasPrefix(":") ? String(first[first.index(close, offsetBy: 2)...]) : "\(defaultPort)"
                return "\(first[...close]):\(port)"
            }
            let parts = first.split(separator: ":", maxSplits: 1)
            return "\(parts[0]):\(parts.count > 1 ? String(parts[1]) : "\(defaultPort)")"
        }
        var values: [String: String] = [:]
        for pair in text.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]).trimmingQuotes }
        }
        guard let host = values["hostaddr"] ?? values["host"], !host.hasPrefix("/") else { return nil }
        return "\(host.split(separator: ",").first.map(String.init) ?? host):\(values["port"] ?? "\(defaultPort)")"
    }

    /// Masks the value of every `password=` (quoted values included) outside the authority.
    private static func maskingPasswordParameters(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let match = rest.range(of: "password=") {
            let before = rest[..<match.lowerBound]
            // Only a whole key: at the start, after a space, `?` or `&`.
            let isKey = before.isEmpty || [" ", "?", "&"].contains(before.last!)
            result += rest[..<match.upperBound]
            rest = rest[match.upperBound...]
            guard isKey else { continue }
            var end = rest.startIndex
            if rest.first == "'" {
                end = rest.index(after: end)
                while end < rest.endIndex, rest[end] != "'" {
                    if rest[end] == "\\", rest.index(after: end) < rest.endIndex { end = rest.index(after: end) }
                    end = rest.index(after: end)
                }
                if end < rest.endIndex { end = rest.index(after: end) }
            } else {
                end = rest.firstIndex { $0 == " " || $0 == "&" } ?? rest.endIndex
            }
            result += "***"
            rest = rest[end...]
        }
        return result + rest
    }
}

extension String {
    fileprivate var trimmingQuotes: String {
        count >= 2 && hasPrefix("'") && hasSuffix("'") ? String(dropFirst().dropLast()) : self
    }
}
