import Testing

@testable import Auth

@Suite struct Base64URLTests {
    /// RFC 4648 §10, unpadded as JWS uses it (RFC 7515 §2).
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func matchesRFC4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(plain.utf8) == encoded)
        #expect(Base64URL.decode(encoded.utf8) == Array(plain.utf8))
    }

    /// 0xFB 0xFF is "+/8" in standard base64: the URL alphabet spells it "-_8".
    @Test func usesTheURLAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8".utf8) == [0xfb, 0xff])
    }

    @Test func roundTripsAllLengthsAndBytes() {
        let bytes: [UInt8] = Array(0...255)
        for length in 0...bytes.count {
            #expect(Base64URL.decode(Base64URL.encode(bytes.prefix(length)).utf8) == Array(bytes.prefix(length)))
        }
    }

    @Test(arguments: [
        "Zg==",  // padding
        "Zg=",
        "Zm9v=",
        "+/8",  // standard alphabet
        "Zm 9v",  // whitespace
        "Zm9v\n",
        "Zm9*",
        "Z",  // one character cannot hold a byte
        "Zm9vY",
        "Zh",  // non-canonical: "Zg" with stray low bits
        "Zm9",  // non-canonical: "Zm8" with stray low bits
    ])
    func refusesAnythingButCanonicalUnpaddedBase64URL(_ text: String) {
        #expect(Base64URL.decode(text.utf8) == nil)
    }
}
