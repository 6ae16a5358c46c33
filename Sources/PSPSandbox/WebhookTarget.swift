public import IOCore

/// Where webhooks go: an `http://host:port/path` URL with a numeric host (or localhost).
public struct WebhookTarget: Sendable, CustomStringConvertible {
    public let address: SocketAddress
    public let path: String

    public init(url: String) throws(SandboxSettingsError) {
        guard url.hasPrefix("http://") else { throw SandboxSettingsError(message: "webhook URL must start with http:// (got '\(url)')") }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) else {
            throw SandboxSettingsError(message: "webhook URL needs host:port (got '\(url)')")
        }
        do {
            address = try SocketAddress(host: String(authority[..<colon]), port: port)
        } catch {
            throw SandboxSettingsError(message: "webhook URL: \(error.description)")
        }
    }

    public var description: String { "http://\(address)\(path)" }
}
