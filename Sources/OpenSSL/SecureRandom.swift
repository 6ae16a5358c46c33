internal import COpenSSL

/// Cryptographically strong random bytes from OpenSSL's CSPRNG (`RAND_bytes`).
public enum SecureRandom {
    /// `count` random bytes. Throws when the generator is not (or no longer) properly seeded:
    /// OpenSSL documents that as a real failure not to take for granted.
    public static func bytes(_ count: Int) throws(OpenSSLError) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes count out of range")
        var bytes = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return bytes }
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // 1 is success; 0 is failure and -1 "not supported", so test for 1, not for > 0 or != 0.
        guard status == 1 else { throw OpenSSLError.drain(context: "RAND_bytes") }
        return bytes
    }
}
