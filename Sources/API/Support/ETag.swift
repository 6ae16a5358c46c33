import Foundation
import HTTPCodec
import HTTPServer

/// Entity tags of versioned resources (`"v7"`), and the `If-Match` precondition (RFC 9110 §13.1.1).
enum ETag {
    static func make(version: Int) -> String { "\"v\(version)\"" }

    /// What `If-Match` allows: nil when absent or `*` (any version); otherwise the versions
    /// listed. Weak tags never match (If-Match compares strongly), nor do tags not of our form.
    enum Condition: Equatable {
        case absent
        case any
        case versions(Set<Int>)

        var versions: Set<Int>? {
            if case .versions(let versions) = self { return versions }
            return nil
        }
    }

    static func ifMatch(_ request: Request) -> Condition {
        guard let header = request.headers.first("if-match") else { return .absent }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return .any }
        var versions: Set<Int> = []
        for tag in trimmed.split(separator: ",") {
            let tag = tag.trimmingCharacters(in: .whitespaces)
            guard tag.hasPrefix("\"v"), tag.hasSuffix("\""), tag.count > 3, let version = Int(tag.dropFirst(2).dropLast()) else { continue }
            versions.insert(version)
        }
        return .versions(versions)
    }
}
