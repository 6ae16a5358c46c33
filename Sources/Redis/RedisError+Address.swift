extension RedisError {
    /// A `.connectFailed` naming the address tried (`… (redis 127.0.0.1:6379)`); others as they are.
    func tried(at configuration: RedisConnection.Configuration) -> RedisError {
        guard case .connectFailed(let message) = self else { return self }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return .connectFailed("\(message) (redis \(host):\(configuration.port))")
    }
}
