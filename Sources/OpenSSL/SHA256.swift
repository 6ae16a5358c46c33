internal import COpenSSL

/// SHA-256 (FIPS 180-4) through OpenSSL's one-shot `EVP_Digest`.
public enum SHA256 {
    /// The 32-byte digest of `data`.
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        data.withContiguousBytes { data in
            [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { output, initialized in
                var length: UInt32 = 0
                let status = EVP_Digest(data.baseAddress, data.count, output.baseAddress, &length, EVP_sha256(), nil)
                // Fails only when OpenSSL cannot allocate (see HMAC.sha256).
                guard status == 1, length == 32 else {
                    fatalError("OpenSSL SHA-256 failed: \(OpenSSLError.drain().description)")
                }
                initialized = Int(length)
            }
        }
    }
}
