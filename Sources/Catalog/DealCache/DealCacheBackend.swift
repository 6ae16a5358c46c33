import IOCore

/// Where rendered deals are cached (Redis in production). Failures are the cache's problem:
/// the read path then goes to PostgreSQL.
///
/// A miss is filled under a lease: the loader first puts its token at the key (only if the
/// key is empty), and its value replaces the token only if the token is still there. A writer
/// deletes the key after its commit, which also drops any lease, so a load that read the
/// deal before the commit can never store that old version after it.
protocol DealCacheBackend: Sendable {
    func get(_ key: String, loop: EventLoop) async throws -> [UInt8]?
    /// Puts `token` at `key` unless the key holds something; true when it did.
    func lease(_ key: String, token: [UInt8], ttlSeconds: Int, loop: EventLoop) async throws -> Bool
    /// Replaces `token` at `key` with `value`; does nothing when the key holds anything else.
    func fill(_ key: String, leasedWith token: [UInt8], _ value: [UInt8], ttlSeconds: Int, loop: EventLoop) async throws
    func delete(_ key: String, loop: EventLoop) async throws
}
