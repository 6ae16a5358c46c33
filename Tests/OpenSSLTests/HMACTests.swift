import OpenSSL
import Testing

/// RFC 4231 §4: the published HMAC-SHA256 test vectors.
@Suite struct HMACTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { name }
    }

    static let rfc4231: [Vector] = [
        Vector(
            name: "test case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
            mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        Vector(
            name: "test case 2: key shorter than the output", key: Array("Jefe".utf8),
            data: Array("what do ya want for nothing?".utf8),
            mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        Vector(
            name: "test case 3", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
            mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        Vector(
            name: "test case 4", key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
            mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        Vector(
            name: "test case 6: key larger than the block", key: [UInt8](repeating: 0xaa, count: 131),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        Vector(
            name: "test case 7: key and data larger than the block", key: [UInt8](repeating: 0xaa, count: 131),
            data: Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").utf8
            ),
            mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test(arguments: rfc4231)
    func matchesRFC4231(_ vector: Vector) {
        #expect(Hex.encode(HMAC.sha256(key: vector.key, message: vector.data)) == vector.mac)
    }

    /// Test case 5 publishes only the first 128 bits of the output.
    @Test func matchesRFC4231TruncatedCase5() {
        let mac = HMAC.sha256(key: [UInt8](repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8))
        #expect(mac.count == 32)
        #expect(Hex.encode(mac.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    /// Slices, string views and collections without contiguous storage give the same MAC as
    /// arrays: the zero-copy and the copying paths agree.
    @Test func acceptsAnyByteCollection() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        let expected = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        let padded = Array("__Hi There__".utf8)
        #expect(Hex.encode(HMAC.sha256(key: key, message: padded[2..<10])) == expected)
        #expect(Hex.encode(HMAC.sha256(key: key, message: "Hi There".utf8)) == expected)
        let lazyKey = (0..<20).lazy.map { _ in UInt8(0x0b) }
        #expect(Hex.encode(HMAC.sha256(key: lazyKey, message: "Hi There".utf8)) == expected)
    }

    /// OpenSSL refuses a NULL key even of length 0; an empty key must still work (known value
    /// from Python's hmac module and `openssl dgst -hmac ''`).
    @Test func acceptsEmptyKeyAndMessage() {
        #expect(
            Hex.encode(HMAC.sha256(key: [UInt8](), message: [UInt8]()))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        )
    }

    @Test func differentKeysGiveDifferentMACs() {
        let message = Array("same message".utf8)
        #expect(
            HMAC.sha256(key: Array("key one".utf8), message: message)
                != HMAC.sha256(key: Array("key two".utf8), message: message))
    }
}
