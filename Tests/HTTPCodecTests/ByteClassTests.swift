@testable import HTTPCodec
import Testing

@Suite struct ByteClassTests {
    @Test func tokenMasksMatchTheTcharList() {
        #expect(ByteClass.tokenLow == ByteClass.mask(Array("!#$%&'*+-.0123456789".utf8)))
        #expect(ByteClass.tokenHigh == ByteClass.mask(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~".utf8), offset: 64))
    }
}
