import Redis
import Testing

@Suite struct RedisConfigurationTests {
    @Test(arguments: [
        ("redis://127.0.0.1:6380", "127.0.0.1", 6380, 0),
        ("redis://127.0.0.1", "127.0.0.1", 6379, 0),
        ("redis://10.1.2.3:7000/4", "10.1.2.3", 7000, 4),
        ("redis://[::1]:6390/2", "::1", 6390, 2),
        ("redis://[::1]", "::1", 6379, 0),
    ])
    func parsesURLs(_ url: String, _ host: String, _ port: Int, _ database: Int) throws {
        let configuration = try RedisConnection.Configuration(url: url)
        #expect(configuration.host == host)
        #expect(configuration.port == port)
        #expect(configuration.database == database)
    }

    @Test(arguments: [
        "http://127.0.0.1:6379",
        "rediss://127.0.0.1:6379",
        "redis://localhost:6379",  // a name would need a blocking DNS lookup
        "redis://127.0.0.1:0",
        "redis://127.0.0.1:65536",
        "redis://127.0.0.1:port",
        "redis://127.0.0.1:6379/x",
        "redis://127.0.0.1:6379/-1",
        "redis://:secret@127.0.0.1:6379",
        "redis://[::1:6379",
        "redis://",
    ])
    func refusesBadURLs(_ url: String) {
        #expect(throws: RedisError.self) { try RedisConnection.Configuration(url: url) }
    }
}
