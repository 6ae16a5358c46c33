import IOCore

/// The sandbox's generator: its whole sequence follows from `--seed`, so a sandbox misbehaves
/// the same way every run.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
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
