import OpenSSL
import Testing

@Suite struct SecureRandomTests {
    @Test(arguments: [0, 1, 16, 1000])
    func returnsTheRequestedCount(count: Int) throws {
        #expect(try SecureRandom.bytes(count).count == count)
    }

    /// Two 32-byte draws collide with probability 2^-256: equal draws mean a broken source.
    @Test func drawsDiffer() throws {
        #expect(try SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }

    /// 4096 bytes from a working CSPRNG contain nearly every byte value; an unfilled (zeroed)
    /// or constant buffer contains one.
    @Test func bytesAreSpreadOverAllValues() throws {
        let distinct = Set(try SecureRandom.bytes(4096))
        #expect(distinct.count > 200)
    }
}
