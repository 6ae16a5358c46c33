internal import COpenSSL

/// Whether `lhs` and `rhs` hold the same bytes, taking time that depends on their lengths but
/// not their contents (`CRYPTO_memcmp`): compare MACs and tokens with this, never with `==`,
/// which stops at the first difference and so tells an attacker how much of a guess was right.
/// Different lengths return false at once; lengths are not secret.
public func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return lhs.withContiguousBytes { lhs in
        rhs.withContiguousBytes { rhs in
            CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
        }
    }
}
