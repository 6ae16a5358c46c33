import IOCore
import Redis
import Testing

@Suite struct RedisClientTests {
    static func configuration(
        _ connection: RedisConnection.Configuration,
        _ adjust: (inout RedisClient.Configuration) -> Void = { _ in }
    ) -> RedisClient.Configuration {
        var configuration = RedisClient.Configuration(connection: connection)
        configuration.connection.connectTimeout = .milliseconds(500)
        configuration.connection.commandTimeout = .seconds(1)
        configuration.reconnectBackoff = .milliseconds(10)
        configuration.maxReconnectBackoff = .milliseconds(50)
        adjust(&configuration)
        return configuration
    }

    @Test func concurrentFirstCallsShareOneConnection() async throws {
        let configuration = Self.configuration(try redisConfiguration())
        let (answers, figures) = try await onLoop { loop in
            let client = RedisClient(configuration: configuration, loop: loop)
            defer { client.close() }
            let answers = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<100 {
                    group.addTask(executorPreference: loop) {
                        try await client.command(["ECHO", "\(index)"]).string
                    }
                }
                var answers: Set<String> = []
                for try await answer in group { answers.insert(answer ?? "") }
                return answers
            }
            return (answers, client.figures)
        }
        #expect(answers == Set((0..<100).map { "\($0)" }))
        #expect(figures.connectionsOpened == 1)
        #expect(figures.commands == 100)
    }

    @Test func afterATimeoutTheNextCallSucceedsOnANewConnection() async throws {
        let configuration = Self.configuration(try redisConfiguration()) {
            $0.connection.commandTimeout = .milliseconds(200)
        }
        let key = uniqueKey()
        let (error, value, figures) = try await onLoop { loop in
            let client = RedisClient(configuration: configuration, loop: loop)
            defer { client.close() }
            try await client.set(key, "before", ttl: .seconds(60))
            let error = await redisError { _ = try await client.command(["BLPOP", key + ":list", "5"]) }
            // The BLPOP's late answer must not be taken for this GET's.
            let value = try await client.get(key)
            _ = try await client.del(key)
            return (error, value, client.figures)
        }
        #expect(error == .timeout)
        #expect(value == Array("before".utf8))
        #expect(figures.timeouts == 1)
        #expect(figures.connectionsOpened == 2)
        #expect(figures.breaker == .closed)
    }

    @Test func errorRepliesAreAnswersAndDoNotOpenTheBreaker() async throws {
        let configuration = Self.configuration(try redisConfiguration()) { $0.failureThreshold = 2 }
        let key = uniqueKey()
        let (errors, figures) = try await onLoop { loop in
            let client = RedisClient(configuration: configuration, loop: loop)
            defer { client.close() }
            try await client.set(key, "text", ttl: .seconds(60))
            var errors: [RedisError?] = []
            for _ in 0..<5 { errors.append(await redisError { _ = try await client.command(["INCR", key]) }) }
            _ = try await client.del(key)
            return (errors, client.figures)
        }
        #expect(errors.allSatisfy { if case .server? = $0 { true } else { false } })
        #expect(figures.breaker == .closed)
        #expect(figures.consecutiveFailures == 0)
    }

    @Test func aClosedPortFailsCleanlyThenBacksOff() async throws {
        let refusing = RefusingPort()
        let configuration = Self.configuration(RedisConnection.Configuration(host: "127.0.0.1", port: refusing.port)) {
            $0.reconnectBackoff = .seconds(10)
            $0.maxReconnectBackoff = .seconds(10)
        }
        let (first, second, figures) = try await onLoop { loop in
            let client = RedisClient(configuration: configuration, loop: loop)
            defer { client.close() }
            let first = await redisError { try await client.ping() }
            let second = await redisError { try await client.ping() }
            return (first, second, client.figures)
        }
        withExtendedLifetime(refusing) {}
        guard case .connectFailed(let refused)? = first, case .connectFailed(let backingOff)? = second else {
            Issue.record("expected two connect failures, got \(String(describing: [first, second]))")
            return
        }
        #expect(refused.lowercased().contains("refused"), "\(refused)")
        #expect(backingOff.contains("backing off"), "\(backingOff)")
        #expect(figures.commands == 0)
        #expect(figures.connectionsOpened == 0)
        #expect(figures.consecutiveFailures == 1)  // the backing-off refusal is no news
    }

    /// The whole life of the breaker against a redis-server of the test's own, which is
    /// killed and restarted on the same port.
    @Test func whenTheServerGoesTheBreakerOpensAndClosesAgainWhenItReturns() async throws {
        let server = RedisServerProcess()
        try await server.start()
        let configuration = Self.configuration(server.configuration) {
            $0.failureThreshold = 3
            $0.coolDown = .seconds(1)
        }
        let testLoop = try TestLoop()
        let client = try await testLoop.run { loop in
            let client = RedisClient(configuration: configuration, loop: loop)
            try await client.ping()
            return client
        }

        server.kill()
        let gone = try await testLoop.run { _ in
            // The first call after the kill fails without waiting for any timeout.
            let started = ContinuousClock.now
            let firstError = await redisError { try await client.ping() }
            let firstTook = ContinuousClock.now - started
            let opened = await eventually {
                _ = await redisError { try await client.ping() }
                return client.figures.breaker == .open
            }
            // Open: refused at once, and nothing is sent.
            let before = client.figures
            let refused = await redisError { try await client.ping() }
            let after = client.figures
            // After the cool-down the probe finds the server still gone: open again.
            let reopened = await eventually {
                _ = await redisError { try await client.ping() }
                return client.figures.timesOpened == 2
            }
            return (firstError, firstTook, opened, before, refused, after, reopened, client.figures.breaker)
        }
        switch gone.0 {
        case .connectionLost?, .connectFailed?: break
        default:
            Issue.record("the first call after the kill should fail on its connection: \(String(describing: gone.0))")
        }
        // No upper bound on gone.1: the kind of error above (the connection, not a timeout) is
        // what shows it failed at once; times on this shared machine prove nothing.
        #expect(gone.2, "the breaker did not open")
        #expect(gone.4 == .circuitOpen)
        #expect(gone.5.commands == gone.3.commands)
        #expect(gone.5.rejected == gone.3.rejected + 1)
        #expect(gone.6, "a failed probe did not reopen the breaker")
        #expect(gone.7 == .open)

        try await server.start()
        let back = try await testLoop.run { _ in
            let closed = await eventually { (try? await client.ping()) != nil }
            let figures = client.figures
            client.close()
            return (closed, figures)
        }
        #expect(back.0, "no call succeeded after the server came back")
        #expect(back.1.breaker == .closed)
        #expect(back.1.consecutiveFailures == 0)
        #expect(back.1.timesOpened == 2)
        #expect(back.1.connectionsOpened == 2)
    }
}
