import Foundation
import IOCore

/// The server gbctl talks to, parsed once from `http://host[:port][/prefix]`.
struct ServerURL {
    /// The URL as given, without a trailing slash: what messages name.
    let base: String
    let address: SocketAddress
    /// The `Host` field: the name as given, with the port when the URL has one.
    let host: String
    /// Put before every request's path ("" or "/prefix"), percent-encoded as given.
    let prefix: String

    init(_ text: String) throws(CLIError) {
        let base = text.hasSuffix("/") ? String(text.dropLast()) : text
        let bad = CLIError(.other, "the server URL \(text) is not an http://host[:port][/prefix] URL")
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased() else { throw bad }
        if scheme == "https" {
            throw CLIError(.other, "the server URL \(text) is https://, which gbctl cannot use yet: its HTTP client has no TLS (issue 14); give an http:// URL")
        }
        guard scheme == "http", let name = components.host, !name.isEmpty, components.user == nil, components.query == nil,
            components.fragment == nil
        else { throw bad }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else { throw bad }
        // IPv6 literals may come with or without their brackets, depending on the Foundation.
        let bare = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        do {
            address = try HostLookup.address(bare, port: port)
        } catch {
            throw CLIError(.unreachable, "cannot reach \(base): \(error.reason)")
        }
        let literal = bare.contains(":") ? "[\(bare)]" : bare
        self.base = base
        host = components.port == nil ? literal : "\(literal):\(port)"
        prefix = components.percentEncodedPath
    }
}
