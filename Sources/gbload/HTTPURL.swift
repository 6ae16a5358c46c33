import ArgumentParser
import Foundation
import IOCore
import LoadGen

/// `http://host:port/path` as gbload takes it: a numeric host or localhost (never resolved
/// through DNS), port 80 by default.
enum HTTPURL {
    static func parse(_ text: String, bearer: String? = nil) throws -> (endpoint: Endpoint, path: String) {
        guard let components = URLComponents(string: text), components.scheme == "http", let host = components.host, !host.isEmpty else {
            throw ValidationError("\(text) is not an http://host:port URL")
        }
        let port = components.port ?? 80
        let numeric = host == "localhost" ? "127.0.0.1" : host
        let address: SocketAddress
        do {
            address = try SocketAddress(host: numeric, port: port)
        } catch {
            throw ValidationError("\(text): \(error.message) (gbload takes numeric addresses)")
        }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        return (Endpoint(address: address, host: port == 80 ? host : "\(host):\(port)", bearer: bearer), path)
    }
}
