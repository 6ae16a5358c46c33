import Auth
import OpenSSL
import Testing

/// Every way a token can be forged, damaged or reshaped is refused, with the right reason.
/// Each forged token is built from a valid one (which the first test shows is accepted), and
/// most are correctly MAC'd under our key, so the refusal comes from the check named.
@Suite struct JWTTamperingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: AuthError.Kind
        let token: @Sendable () -> String
        var testDescription: String { name }
    }

    /// Signs arbitrary segment text (not necessarily base64url) with our current key.
    static func signRaw(_ header: String, _ payload: String, secret: String = Fixture.currentSecret) -> String {
        let input = header + "." + payload
        return input + "." + base64URL(HMAC.sha256(key: secret.utf8, message: input.utf8))
    }

    static func withSegment(_ index: Int, of token: String, _ change: (String) -> String) -> String {
        var parts = segments(of: token)
        parts[index] = change(parts[index])
        return parts.joined(separator: ".")
    }

    /// Replaces one character in the middle with another base64url character: a different but
    /// still canonical encoding, so only the signature can catch it.
    static func flipCharacter(_ segment: String) -> String {
        var characters = Array(segment)
        let middle = characters.count / 2
        characters[middle] = characters[middle] == "A" ? "B" : "A"
        return String(characters)
    }

    static func changeSignature(_ segment: String, _ change: (inout [UInt8]) -> Void) -> String {
        var bytes = decodeBase64URL(segment)!
        change(&bytes)
        return base64URL(bytes)
    }

    static func header(alg: String?) -> String {
        alg.map { #"{"alg":\#($0),"typ":"JWT","kid":"k2"}"# } ?? #"{"typ":"JWT","kid":"k2"}"#
    }

    static let cases: [Case] = [
        // The signature covers header and payload.
        Case(name: "changed payload byte", expected: .badSignature) {
            withSegment(1, of: mint(), flipCharacter)
        },
        Case(name: "changed header (typ) under the original signature", expected: .badSignature) {
            withSegment(0, of: mint()) { _ in base64URL(#"{"alg":"HS256","typ":"JWS","kid":"k2"}"#) }
        },
        Case(name: "changed signature byte", expected: .badSignature) {
            withSegment(2, of: mint()) { changeSignature($0) { $0[10] ^= 0x01 } }
        },
        Case(name: "truncated signature", expected: .badSignature) {
            withSegment(2, of: mint()) { changeSignature($0) { $0.removeLast() } }
        },
        Case(name: "signature extended by a byte", expected: .badSignature) {
            withSegment(2, of: mint()) { changeSignature($0) { $0.append(0) } }
        },
        Case(name: "empty signature", expected: .badSignature) {
            withSegment(2, of: mint()) { _ in "" }
        },
        Case(name: "signature from another key under our kid", expected: .badSignature) {
            mint(secret: Fixture.otherSecret)
        },
        Case(name: "payload of another valid token under this signature", expected: .badSignature) {
            let other = mint(payload: Fixture.claims(["sub": #""admin-1""#, "role": #""admin""#]))
            return withSegment(1, of: mint()) { _ in segments(of: other)[1] }
        },

        // Only HS256, spelt exactly so; refused before any key is used.
        Case(name: "alg none with empty signature", expected: .unsupportedAlgorithm) {
            base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + base64URL(Fixture.claims()) + "."
        },
        Case(name: "alg None with our kid and empty signature", expected: .unsupportedAlgorithm) {
            base64URL(header(alg: #""None""#)) + "." + base64URL(Fixture.claims()) + "."
        },
        Case(name: "alg HS512", expected: .unsupportedAlgorithm) { mint(header: header(alg: #""HS512""#)) },
        Case(name: "alg RS256", expected: .unsupportedAlgorithm) { mint(header: header(alg: #""RS256""#)) },
        Case(name: "alg missing", expected: .unsupportedAlgorithm) { mint(header: header(alg: nil)) },
        Case(name: "alg lower-case hs256", expected: .unsupportedAlgorithm) { mint(header: header(alg: #""hs256""#)) },
        Case(name: "alg with trailing space", expected: .unsupportedAlgorithm) {
            mint(header: header(alg: #""HS256 ""#))
        },
        Case(name: "alg null", expected: .unsupportedAlgorithm) { mint(header: header(alg: "null")) },
        Case(name: "alg not a string", expected: .malformed) { mint(header: header(alg: "256")) },
        Case(name: "critical header extension", expected: .malformed) {
            mint(header: #"{"alg":"HS256","kid":"k2","crit":["exp"]}"#)
        },

        // Keys.
        Case(name: "unknown kid", expected: .unknownKey) {
            mint(header: #"{"alg":"HS256","typ":"JWT","kid":"k9"}"#)
        },
        Case(name: "kid not a string", expected: .malformed) {
            mint(header: #"{"alg":"HS256","typ":"JWT","kid":2}"#)
        },

        // JSON.
        Case(name: "header not JSON", expected: .malformed) { mint(header: "alg=HS256") },
        Case(name: "header a JSON array", expected: .malformed) { mint(header: #"["HS256"]"#) },
        Case(name: "header empty", expected: .malformed) { mint(header: "") },
        // Repeated names: RFC 7515 §4 allows refusing them or taking the last; we refuse.
        Case(name: "alg repeated, last none", expected: .malformed) {
            mint(header: #"{"alg":"HS256","alg":"none","kid":"k2"}"#)
        },
        Case(name: "alg repeated, first none", expected: .malformed) {
            mint(header: #"{"alg":"none","kid":"k2","alg":"HS256"}"#)
        },
        Case(name: "alg repeated through an escape", expected: .malformed) {
            mint(header: #"{"alg":"HS256","kid":"k2","\u0061lg":"none"}"#)
        },
        Case(name: "sub repeated in the payload", expected: .malformed) {
            mint(payload: #"{"sub":"admin-1","# + Fixture.claims().dropFirst())
        },
        Case(name: "sub repeated after a string holding an escaped quote", expected: .malformed) {
            // A scanner that ended strings at \" would lose step here and miss the repeat.
            mint(payload: #"{"note":"\",","sub":"admin-1","# + Fixture.claims().dropFirst())
        },
        // Text PostgreSQL cannot store: `erin\u0000x` must not act as user "erin".
        Case(name: "NUL in sub", expected: .malformed) { mint(payload: Fixture.claims(["sub": #""erin\u0000x""#])) },
        Case(name: "NUL in a claim we ignore", expected: .malformed) { mint(payload: Fixture.claims(["note": #""\u0000""#])) },
        Case(name: "half a surrogate pair in sub", expected: .malformed) { mint(payload: Fixture.claims(["sub": #""erin\ud800""#])) },
        Case(name: "payload not JSON", expected: .malformed) { mint(payload: "sub=user-42") },
        Case(name: "payload a JSON array", expected: .malformed) { mint(payload: "[" + Fixture.claims() + "]") },
        Case(name: "payload a JSON string", expected: .malformed) { mint(payload: #""user-42""#) },
        Case(name: "payload JSON with trailing garbage", expected: .malformed) {
            mint(payload: Fixture.claims() + "x")
        },

        // Segments.
        Case(name: "empty token", expected: .malformed) { "" },
        Case(name: "1 segment", expected: .malformed) { segments(of: mint())[0] },
        Case(name: "2 segments", expected: .malformed) { segments(of: mint())[0...1].joined(separator: ".") },
        Case(name: "4 segments", expected: .malformed) { mint() + "." + segments(of: mint())[2] },
        Case(name: "trailing dot", expected: .malformed) { mint() + "." },

        // Strict base64url, in each segment; the bad segments are MAC'd as received.
        Case(name: "padding on the signature", expected: .malformed) { mint() + "=" },
        Case(name: "padded header", expected: .malformed) {
            signRaw(base64URL(Fixture.header) + "=", base64URL(Fixture.claims()))
        },
        Case(name: "padded payload", expected: .malformed) {
            signRaw(base64URL(Fixture.header), base64URL(Fixture.claims()) + "==")
        },
        Case(name: "standard-alphabet '+' in the signature", expected: .malformed) {
            withSegment(2, of: mint()) { "+" + $0.dropFirst() }
        },
        Case(name: "standard-alphabet '/' in the payload", expected: .malformed) {
            signRaw(base64URL(Fixture.header), "/" + base64URL(Fixture.claims()).dropFirst())
        },
        Case(name: "space in the header", expected: .malformed) {
            signRaw(" " + base64URL(Fixture.header), base64URL(Fixture.claims()))
        },
        Case(name: "non-ASCII in the payload", expected: .malformed) {
            signRaw(base64URL(Fixture.header), base64URL(Fixture.claims()) + "é")
        },
        Case(name: "stray bits in the last signature character", expected: .malformed) {
            // 32 bytes end in a 43rd character carrying 4 bits plus 2 that must be zero.
            withSegment(2, of: mint()) { segment in
                let last = segment.last!
                let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                let value = alphabet.firstIndex(of: last)!
                return String(segment.dropLast()) + String(alphabet[value | 0x01])
            }
        },
    ]

    @Test func theUntamperedTokenIsAccepted() throws {
        let verifier = try Fixture.verifier()
        #expect(refusal(of: mint(), by: verifier) == nil)
        #expect(refusal(of: Self.signRaw(base64URL(Fixture.header), base64URL(Fixture.claims())), by: verifier) == nil)
    }

    @Test(arguments: cases)
    func refuses(_ tampered: Case) throws {
        let token = tampered.token()
        #expect(token != mint(), "the case must change the token")
        #expect(refusal(of: token, by: try Fixture.verifier()) == tampered.expected)
    }

    /// Up to the limit a (padded) token is accepted, one character more is refused.
    @Test func sizeLimitIsExact() throws {
        let verifier = try Fixture.verifier()
        func token(filler: Int) -> String {
            mint(payload: Fixture.claims(["pad": "\"" + String(repeating: "x", count: filler) + "\""]))
        }
        var filler = 0
        while token(filler: filler + 1).utf8.count <= 4096 { filler += 1 }
        let largest = token(filler: filler)
        #expect(largest.utf8.count > 4090)
        #expect(refusal(of: largest, by: verifier) == nil)
        let oversize = token(filler: filler + 1)
        #expect(oversize.utf8.count > 4096)
        #expect(refusal(of: oversize, by: verifier) == .malformed)
        #expect(refusal(of: token(filler: 100_000), by: verifier) == .malformed)
    }

    @Test func refusalsDescribeTheProblemWithoutQuotingTheToken() throws {
        let verifier = try Fixture.verifier()
        let forged = mint(secret: Fixture.otherSecret)
        do {
            _ = try verifier.verify(forged, now: Fixture.now)
            Issue.record("a forged token was accepted")
        } catch {
            #expect(error.description == "the token signature is invalid")
            #expect(!error.description.contains(segments(of: forged)[2]))
        }
    }
}
