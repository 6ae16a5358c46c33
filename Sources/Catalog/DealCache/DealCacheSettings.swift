/// How long the read-through deal cache keeps what it read (`catalog.cache_*` settings).
public struct DealCacheSettings: Sendable {
    public var ttlSeconds: Int
    /// Life of a cached "no such deal" (negative caching).
    public var missingTTLSeconds: Int
    /// Life of an entry in the per-loop near cache in front of Redis; zero turns it off.
    public var nearTTL: Duration
    public var nearCapacity: Int

    public init(ttlSeconds: Int = 30, missingTTLSeconds: Int = 5, nearTTL: Duration = .zero, nearCapacity: Int = 10_000) {
        self.ttlSeconds = ttlSeconds
        self.missingTTLSeconds = missingTTLSeconds
        self.nearTTL = nearTTL
        self.nearCapacity = nearCapacity
    }
}
