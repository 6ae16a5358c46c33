internal import COpenSSL

/// HMAC (RFC 2104) through OpenSSL's one-shot `HMAC()`.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key`: 32 bytes.
    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        key.withContiguousBytes { key in
            message.withContiguousBytes { message in
                // HMAC() takes the key length as an int; a longer key is a caller bug, not input.
                precondition(key.count <= Int(Int32.max), "HMAC key longer than 2 GiB")
                return [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { output, initialized in
                    var length: UInt32 = 0
                    let result = COpenSSL.HMAC(
                        EVP_sha256(), key.baseAddress, Int32(key.count),
                        message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                        output.baseAddress, &length
                    )
                    // With the built-in SHA-256 this fails only when OpenSSL cannot allocate,
                    // which Swift treats as fatal everywhere else too.
                    guard result != nil, length == 32 else {
                        fatalError("OpenSSL HMAC-SHA256 failed: \(OpenSSLError.drain().description)")
                    }
                    initialized = Int(length)
                }
            }
        }
    }
}
