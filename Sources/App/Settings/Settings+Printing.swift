extension Settings {
    /// The effective settings as YAML-like lines, each with where its value came from.
    public func printable() -> String {
        var lines: [String] = ["# effective settings (source in the comment)"]
        var section = ""
        for entry in entries {
            let parts = entry.key.split(separator: ".", maxSplits: 1).map(String.init)
            if parts[0] != section {
                section = parts[0]
                lines.append("\(section):")
            }
            let value = entry.value.isEmpty || entry.value.contains(":") || entry.value.contains("#") ? "\"\(entry.value)\"" : entry.value
            lines.append("  \(parts[1]): \(value)  # \(entry.source)" + (entry.variable.map { " (\($0))" } ?? ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
