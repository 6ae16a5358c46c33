import Auth
import Catalog
import Domain
import Foundation
import HTTPCodec
import HTTPServer
import StrictJSON

/// `POST /v1/admin/tokens`: buyer tokens for a list of user ids, for load tests and support
/// tools that act as buyers. Admin only, audited (one row per call, with every user id).
struct TokenRoutes: Sendable {
    let auth: Authenticator
    let catalog: CatalogService

    /// Users per call: a load test asks in batches; one answer stays well under the body limits.
    static let usersPerCall = 1...1_000
    /// Lifetime of the tokens, seconds (default one hour, at most a day).
    static let lifetimes = 60...86_400
    static let defaultLifetime = 3_600
    /// A user id is what a token's `sub` claim can carry through every layer: short and printable.
    static let maxUserIDLength = 128

    func add(to routes: inout RouteGroup) {
        routes.post("/admin/tokens", .async { try await issue($0, $1) })
    }

    func issue(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        guard let signer = auth.signer else {
            throw HTTPError(.serviceUnavailable, type: ProblemType.tokensNotIssued, detail: "this instance does not issue tokens")
        }
        let (users, lifetime) = try Self.input(try JSONInput.object(of: request))
        let now = Date()
        var tokens: [String] = []
        tokens.reserveCapacity(users.count)
        for user in users {
            tokens.append(try signer.issue(subject: user, role: .buyer, ttl: .seconds(lifetime), now: now))
        }
        let actor = AuditActor(userID: admin.userID, requestID: context.requestID.description)
        let audit = Self.auditRecord(users: users, lifetime: lifetime)
        try await catalog.recordAudit(
            action: "token.issue", entity: "tokens", entityID: context.requestID.description, after: audit, by: actor, on: context.loop
        )
        let expires = Timestamp(secondsSinceEpoch: Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(lifetime))
        return .json(context: context) { json in
            json.object { object in
                object.key("tokens")
                object.array { array in
                    for (user, token) in zip(users, tokens) {
                        array.object { entry in
                            entry.field("userId", user)
                            entry.field("token", token)
                        }
                    }
                }
                object.field("role", Role.buyer.rawValue)
                object.field("expiresAt", expires.rfc3339)
            }
        }
    }

    /// The user ids (distinct, non-empty, printable, in order) and the lifetime; every problem at once.
    static func input(_ members: JSONObject) throws(HTTPError) -> (users: [String], lifetime: Int) {
        var problems: [FieldProblem] = []
        var users: [String] = []
        switch members["users"] {
        case .array(let values):
            if !usersPerCall.contains(values.count) {
                problems.append(FieldProblem("users", "must list \(usersPerCall.lowerBound) to \(usersPerCall.upperBound) user ids"))
            }
            var seen = Set<String>()
            for (index, value) in values.enumerated() {
                guard case .string(let id) = value, isValidUserID(id) else {
                    problems.append(FieldProblem("users[\(index)]", "must be a string of 1 to \(maxUserIDLength) printable ASCII characters"))
                    continue
                }
                if seen.insert(id).inserted { users.append(id) } else { problems.append(FieldProblem("users[\(index)]", "is listed twice")) }
            }
        case nil:
            problems.append(FieldProblem("users", "is required"))
        default:
            problems.append(FieldProblem("users", "must be an array of user ids"))
        }
        var lifetime = defaultLifetime
        switch members["ttlSeconds"] {
        case nil:
            break
        case .integer(let seconds) where lifetimes.contains(Int(clamping: seconds)):
            lifetime = Int(seconds)
        default:
            problems.append(FieldProblem("ttlSeconds", "must be a whole number of seconds from \(lifetimes.lowerBound) to \(lifetimes.upperBound)"))
        }
        for name in members.keys.sorted() where name != "users" && name != "ttlSeconds" {
            problems.append(FieldProblem(name, "is not a known field"))
        }
        guard problems.isEmpty else { throw ErrorTranslation.validation(problems) }
        return (users, lifetime)
    }

    static func isValidUserID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxUserIDLength && id.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// JSON for the audit row: who got tokens, for how long.
    static func auditRecord(users: [String], lifetime: Int) -> String {
        let object: [String: Any] = ["role": "buyer", "ttlSeconds": lifetime, "count": users.count, "users": users]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
