import Auth
import OpenSSL
import Testing

@Suite struct JWTKeyRingTests {
    static let secret32 = String(repeating: "s", count: 32)

    @Test func firstEntrySignsAndAllVerify() throws {
        let ring = try JWTKeyRing(parsing: ["new:\(Self.secret32)", "old:\(String(repeating: "o", count: 40))"])
        #expect(ring.current.id == "new")
        #expect(ring.description == "JWTKeyRing(current: new, accepted: new, old)")
    }

    @Test func secretOfExactly32BytesIsEnoughAnd31IsNot() throws {
        _ = try JWTKeyRing(parsing: ["k:\(Self.secret32)"])
        #expect(throws: JWTKeyError.secretTooShort(keyID: "k", bytes: 31)) {
            try JWTKeyRing(parsing: ["k:\(Self.secret32.dropLast())"])
        }
        #expect(throws: JWTKeyError.secretTooShort(keyID: "k", bytes: 0)) {
            try JWTKeyRing(parsing: ["k:"])
        }
    }

    /// Multi-byte characters count as their UTF-8 bytes: 11 × "é" is 22 bytes, too short.
    @Test func secretLengthIsCountedInBytes() {
        #expect(throws: JWTKeyError.secretTooShort(keyID: "k", bytes: 22)) {
            try JWTKeyRing(parsing: ["k:\(String(repeating: "é", count: 11))"])
        }
    }

    @Test(arguments: ["", "my key", "kid\n", "ключ", String(repeating: "k", count: 65)])
    func refusesBadKeyIDs(_ id: String) {
        #expect(throws: JWTKeyError.invalidKeyID(id)) {
            try JWTKeyRing(parsing: ["\(id):\(Self.secret32)"])
        }
    }

    @Test func acceptsKeyIDsOfLettersDigitsAndPunctuation() throws {
        let ring = try JWTKeyRing(parsing: ["2025-06.rotation_B:\(Self.secret32)"])
        #expect(ring.current.id == "2025-06.rotation_B")
    }

    /// The entry may be all secret, so the error names its position, not its text.
    @Test func entryWithoutSeparatorIsReportedByPositionOnly() {
        let secretLooking = "thisLooksLikeASecretOfMoreThan32Bytes!!"
        #expect(throws: JWTKeyError.missingSeparator(position: 2)) {
            try JWTKeyRing(parsing: ["k:\(Self.secret32)", secretLooking])
        }
        #expect(!JWTKeyError.missingSeparator(position: 2).description.contains(secretLooking))
    }

    @Test func refusesDuplicateKeyIDs() {
        #expect(throws: JWTKeyError.duplicateKeyID("k")) {
            try JWTKeyRing(parsing: ["k:\(Self.secret32)", "other:\(Self.secret32)", "k:\(Self.secret32)x"])
        }
    }

    @Test func refusesAnEmptyList() {
        #expect(throws: JWTKeyError.noKeys) { try JWTKeyRing(parsing: []) }
    }

    @Test func errorsNameTheProblemAndNoSecret() {
        let short = JWTKeyError.secretTooShort(keyID: "k7", bytes: 12)
        #expect(short.description == "JWT key \"k7\" has a 12-byte secret; at least 32 bytes are required")
        #expect(JWTKeyError.duplicateKeyID("k7").description.contains("k7"))
        #expect(JWTKeyError.noKeys.description == "no JWT signing key is configured")
    }

    /// A secret must not reach logs through printing, debug printing or dumping the key or ring.
    @Test func printingNeverShowsTheSecret() throws {
        let secret = "do-not-print-me-0123456789abcdefghijkl"
        let ring = try JWTKeyRing(parsing: ["k:\(secret)"])
        var dumped = ""
        dump(ring, to: &dumped)
        dump(ring.current, to: &dumped)
        for text in [
            String(describing: ring), String(reflecting: ring), String(describing: ring.current),
            String(reflecting: ring.current), "\(ring.current)", dumped,
        ] {
            #expect(!text.contains(secret))
            #expect(!text.contains("do-not-print"))
        }
    }

    /// Everything after the first colon is the secret, colons included.
    @Test func secretMayContainColons() throws {
        let secret = "part:two:three-0123456789abcdefghijklmn"
        let ring = try JWTKeyRing(parsing: ["k:\(secret)"])
        let token = try JWTSigner(keyRing: ring, issuer: "i", audience: "a")
            .issue(subject: "u", role: .buyer, ttl: .seconds(60), now: Fixture.now)
        let parts = segments(of: token)
        let mac = HMAC.sha256(key: secret.utf8, message: (parts[0] + "." + parts[1]).utf8)
        #expect(decodeBase64URL(parts[2]) == mac)
    }
}
