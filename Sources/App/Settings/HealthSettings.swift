/// How `/healthz` checks the dependencies (see config/groupbuy.yaml, `health:`).
public struct HealthSettings: Sendable {
    /// A check younger than this is answered again instead of asking the dependencies.
    public var maxAgeMs = 1_000
    /// How long each dependency may take to answer a check before it is reported down.
    public var timeoutMs = 1_000
}
