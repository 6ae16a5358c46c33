/// The claims we sign: integer NumericDates (RFC 7519 §2), the registered names, and `role`.
struct IssuedClaims: Encodable {
    let sub: String
    let role: String
    let iss: String
    let aud: String
    let iat: Int64
    let nbf: Int64
    let exp: Int64
    let jti: String
}

/// The claims we read from a token. All optional, so that each missing one is refused with
/// its own reason; NumericDates may carry fractions (RFC 7519 §2).
struct ReceivedClaims: Decodable {
    var sub: String?
    var role: String?
    var iss: String?
    var aud: Audience?
    var nbf: Double?
    var exp: Double?
    var jti: String?
}

/// `aud` is one string or an array of strings (RFC 7519 §4.1.3).
enum Audience: Decodable {
    case one(String)
    case many([String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .one(value)
        } else {
            self = .many(try container.decode([String].self))
        }
    }

    func contains(_ audience: String) -> Bool {
        switch self {
        case .one(let value): value == audience
        case .many(let values): values.contains(audience)
        }
    }
}
