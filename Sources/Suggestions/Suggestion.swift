/// "Did you mean" for a misspelt name: the closest known name when it is close enough. Shared by
/// gbload's scenario files, groupbuyd's settings and gbctl's commands.
package enum Suggestion {
    /// The known name closest to `name`, if a typo could explain the difference (or they
    /// differ only in case and separators: `usersPerIteration` for `users_per_iteration`).
    package static func closest(to name: String, among known: [String]) -> String? {
        let folded = fold(name)
        if let same = known.first(where: { fold($0) == folded }) { return same }
        let scored = known.map { (name: $0, distance: distance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        return best.distance <= max(1, min(3, best.name.count / 3)) ? best.name : nil
    }

    /// " (did you mean `x`?)" or "".
    package static func hint(for name: String, among known: [String]) -> String {
        closest(to: name, among: known).map { " (did you mean `\($0)`?)" } ?? ""
    }

    private static func fold(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Edit distance over characters, a swap of neighbours counting as one edit (optimal string alignment).
    package static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
