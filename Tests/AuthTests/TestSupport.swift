import Auth
import Foundation
import OpenSSL

/// Keys, names and a fixed clock shared by the JWT tests.
enum Fixture {
    static let issuer = "groupbuy"
    static let audience = "groupbuy-api"
    static let currentKeyID = "k2"
    static let currentSecret = "current-secret-0123456789abcdefghijklmnop"
    static let previousKeyID = "k1"
    static let previousSecret = "previous-secret-0123456789abcdefghijklmno"
    static let otherSecret = "unrelated-secret-0123456789abcdefghijklmn"
    /// 2025-06-15T15:06:40Z; whole seconds so claims built from it are exact.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static var nowSeconds: Int { Int(now.timeIntervalSince1970) }

    static func keyRing() throws -> JWTKeyRing {
        try JWTKeyRing(parsing: ["\(currentKeyID):\(currentSecret)", "\(previousKeyID):\(previousSecret)"])
    }

    static func verifier(clockSkew: Duration = .seconds(30)) throws -> JWTVerifier {
        JWTVerifier(keyRing: try keyRing(), issuer: issuer, audience: audience, clockSkew: clockSkew)
    }

    static func signer() throws -> JWTSigner {
        JWTSigner(keyRing: try keyRing(), issuer: issuer, audience: audience)
    }

    static let header = #"{"alg":"HS256","typ":"JWT","kid":"k2"}"#

    /// Claims JSON text: valid defaults, each replaced by `overrides` (raw JSON values) or
    /// removed where the override is nil.
    static func claims(_ overrides: [String: String?] = [:]) -> String {
        let defaults: [(String, String)] = [
            ("sub", #""user-42""#), ("role", #""buyer""#), ("iss", #""\#(issuer)""#),
            ("aud", #""\#(audience)""#), ("iat", "\(nowSeconds)"), ("nbf", "\(nowSeconds)"),
            ("exp", "\(nowSeconds + 600)"), ("jti", #""token-1""#),
        ]
        var members: [String] = []
        for (name, value) in defaults {
            if let override = overrides[name] {
                if let override { members.append(#""\#(name)":\#(override)"#) }
            } else {
                members.append(#""\#(name)":\#(value)"#)
            }
        }
        for (name, value) in overrides where !defaults.contains(where: { $0.0 == name }) {
            if let value { members.append(#""\#(name)":\#(value)"#) }
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}

/// Base64url without padding, done with Foundation so that test tokens do not depend on the
/// encoder under test.
func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func base64URL(_ text: String) -> String { base64URL(Array(text.utf8)) }

func decodeBase64URL(_ text: some StringProtocol) -> [UInt8]? {
    var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
    return Data(base64Encoded: standard).map { Array($0) }
}

/// A token of exactly these header and payload texts, HS256-signed with `secret`.
func mint(header: String = Fixture.header, payload: String = Fixture.claims(), secret: String = Fixture.currentSecret)
    -> String
{
    let signingInput = base64URL(header) + "." + base64URL(payload)
    return signingInput + "." + base64URL(HMAC.sha256(key: secret.utf8, message: signingInput.utf8))
}

/// Why `verifier` refuses `token` at `now`, or nil when it accepts it.
func refusal(of token: String, by verifier: JWTVerifier, at now: Date = Fixture.now) -> AuthError.Kind? {
    do {
        _ = try verifier.verify(token, now: now)
        return nil
    } catch {
        return error.kind
    }
}

/// The three segments of a compact token.
func segments(of token: String) -> [String] {
    token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
}
