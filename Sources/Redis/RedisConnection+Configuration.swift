#if canImport(Glibc)
import Glibc
#endif

extension RedisConnection {
    /// Where to connect and how long to wait.
    public struct Configuration: Sendable, Equatable {
        /// A numeric IPv4 or IPv6 address: hiredis resolves names with a blocking getaddrinfo,
        /// which must not run on a loop thread.
        public var host: String
        public var port: Int
        /// Database index, selected before the connection is handed out.
        public var database: Int
        /// How long the TCP connect may take (SELECT then runs under `commandTimeout`).
        public var connectTimeout: Duration = .seconds(1)
        /// How long a command may wait for its answer; past it the command fails with
        /// `.timeout` and the connection is dropped.
        public var commandTimeout: Duration = .milliseconds(500)

        public init(host: String, port: Int = 6379, database: Int = 0) {
            self.host = host
            self.port = port
            self.database = database
        }

        /// Parses `redis://host[:port][/db]`; the host must be a numeric address
        /// (`[::1]` for IPv6). Credentials and TLS (`rediss://`) are not supported.
        public init(url: String) throws(RedisError) {
            let scheme = "redis://"
            guard url.hasPrefix(scheme) else { throw .misuse("not a redis:// URL: \(url)") }
            let rest = url.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" }
            let path = rest.dropFirst(authority.count).dropFirst()
            guard !authority.contains("@") else { throw .misuse("credentials in the URL are not supported: \(url)") }

            var host = Substring(authority)
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw .misuse("unclosed [ in \(url)") }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw .misuse("bad port in \(url)") }
                    portText = after.dropFirst()
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }

            var port = 6379
            if let portText {
                guard let parsed = Int(portText), (1...65535).contains(parsed) else {
                    throw .misuse("bad port in \(url)")
                }
                port = parsed
            }
            var database = 0
            if !path.isEmpty {
                guard let parsed = Int(path), parsed >= 0 else { throw .misuse("bad database number in \(url)") }
                database = parsed
            }
            guard Self.isNumericAddress(String(host)) else {
                throw .misuse("the host must be a numeric IP address (no DNS on the loop): \(url)")
            }
            self.init(host: String(host), port: port, database: database)
        }

        static func isNumericAddress(_ host: String) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 16)
            return inet_pton(AF_INET, host, &buffer) == 1 || inet_pton(AF_INET6, host, &buffer) == 1
        }
    }
}
