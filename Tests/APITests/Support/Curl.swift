import Foundation
import GroupBuyTesting

/// curl itself, for the tests about what a stock client sends and sees (CORS, repeated
/// headers, bodies curl frames); every other test uses `LiveHTTP`. Run on its own thread so
/// the test's cooperative threads stay free.
enum Curl {
    static func request(
        _ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil, bearer: String? = nil
    ) async throws -> HTTPResult {
        var arguments = ["-s", "-i", "-X", method, "--max-time", "30", url]
        var headers = headers
        if let bearer { headers["Authorization"] = "Bearer \(bearer)" }
        if body != nil && headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        if let body { arguments += ["--data-binary", body] }
        let result = try await Subprocess.run("/usr/bin/curl", ["-S"] + arguments)
        guard result.status == 0 else {
            // curl's own word on it (refused, reset, empty reply, timed out) and when it gave up.
            throw CurlError("curl \(method) \(url) exited \(result.status): \(result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return try parse(result.output)
    }

    static func run(_ arguments: [String]) async throws -> String {
        try await Subprocess.run("/usr/bin/curl", arguments).output
    }

    static func parse(_ output: String) throws -> HTTPResult {
        // Skip interim 100 Continue heads.
        var rest = Substring(output)
        while true {
            guard let end = rest.range(of: "\r\n\r\n") else { throw CurlError("no response in \(output.prefix(200))") }
            let head = rest[..<end.lowerBound]
            rest = rest[end.upperBound...]
            let lines = head.split(separator: "\r\n")
            guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ")[1]) else { throw CurlError("bad head") }
            if status == 100 { continue }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return HTTPResult(status: status, headers: headers, body: String(rest))
        }
    }
}

struct CurlError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
