/// The JOSE header of a compact JWS (RFC 7515 §4). Every field is optional here so that a
/// missing `alg` is reported as an unsupported algorithm, not as malformed JSON.
struct JWTHeader: Codable {
    var alg: String?
    var typ: String?
    var kid: String?
    /// Extensions the signer says a verifier must understand (RFC 7515 §4.1.11); we know none.
    var crit: [String]?
}
