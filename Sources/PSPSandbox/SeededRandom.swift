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

    /// "<prefix>_", then `epoch`, then letters and digits of this generator up to 24 characters.
    mutating func identifier(_ prefix: String, epoch: String) -> String {
        var bytes = Array(prefix.utf8) + [UInt8(ascii: "_")] + Array(epoch.utf8)
        for _ in epoch.utf8.count..<24 { bytes.append(Self.alphabet[Int(next() % UInt64(Self.alphabet.count))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Eight letters and digits from the system's generator, never from the seed: the start of
    /// every id of one ledger (a process's start, or a reset), so that a sandbox restarted with
    /// the same seed does not hand out ids a kept database already holds.
    static func epoch() -> String {
        var system = SystemRandomNumberGenerator()
        let letters = (0..<8).map { _ in alphabet[Int(system.next() % UInt64(alphabet.count))] }
        return String(decoding: letters, as: UTF8.self)
    }
}
