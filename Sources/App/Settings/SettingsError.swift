/// Settings that cannot be used; each problem names its key and where the value came from.
public struct SettingsError: Error, CustomStringConvertible {
    public let problems: [String]

    public var description: String {
        "invalid settings:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
