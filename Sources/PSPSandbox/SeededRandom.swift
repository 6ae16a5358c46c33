/// SplitMix64: a small, fast generator whose whole sequence follows from its seed, so a
/// sandbox started with `--seed` misbehaves the same way every run.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double.random(in: 0..<1, using: &self) < p
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// "<prefix>_" and 24 letters and digits.
    mutating func identifier(_ prefix: String) -> String {
        var bytes = Array(prefix.utf8) + [UInt8(ascii: "_")]
        for _ in 0..<24 { bytes.append(Self.alphabet[Int(next() % UInt64(Self.alphabet.count))]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
