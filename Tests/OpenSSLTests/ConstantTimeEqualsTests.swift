import OpenSSL
import Testing

@Suite struct ConstantTimeEqualsTests {
    @Test func equalBytesAreEqual() {
        let bytes: [UInt8] = Array(0...255)
        #expect(constantTimeEquals(bytes, Array(bytes)))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
    }

    @Test(arguments: [0, 17, 31])
    func oneDifferentByteAnywhereIsUnequal(position: Int) {
        let bytes = [UInt8](repeating: 0x5a, count: 32)
        var other = bytes
        other[position] ^= 0x01
        #expect(!constantTimeEquals(bytes, other))
    }

    @Test func differentLengthsAreUnequal() {
        let bytes = [UInt8](repeating: 7, count: 32)
        #expect(!constantTimeEquals(bytes, bytes.prefix(31)))
        #expect(!constantTimeEquals(bytes.prefix(0), bytes))
    }

    @Test func comparesSlicesAndStringViews() {
        let text = Array("xxsecretxx".utf8)
        #expect(constantTimeEquals(text[2..<8], "secret".utf8))
        #expect(!constantTimeEquals(text[2..<8], "Secret".utf8))
    }
}
