import IOCore
import Redis
import Testing

/// Against the private Redis of scripts/services.sh (REDIS_URL).
@Suite struct RedisConnectionTests {
    @Test func setGetAndDelRoundTrip() async throws {
        let configuration = try redisConfiguration()
        let key = uniqueKey()
        let (stored, deleted, afterDelete, deletedAgain) = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            try await connection.set(key, "grüße")
            let stored = try await connection.get(key)
            let deleted = try await connection.del(key)
            return (stored, deleted, try await connection.get(key), try await connection.del(key))
        }
        #expect(stored.map { String(decoding: $0, as: UTF8.self) } == "grüße")
        #expect(deleted == 1)
        #expect(afterDelete == nil)
        #expect(deletedAgain == 0)
    }

    @Test func aTTLIsSetAndTheKeyExpires() async throws {
        let configuration = try redisConfiguration()
        let (long, short) = (uniqueKey(), uniqueKey())
        let (ttl, pttl, expired) = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            try await connection.set(long, "v", ttl: .seconds(30))
            try await connection.set(short, "v", ttl: .milliseconds(150))
            let ttl = try await connection.command(["TTL", long]).integer
            let pttl = try await connection.command(["PTTL", short]).integer
            let expired = await eventually(within: .seconds(3)) {
                (try? await connection.get(short)) == .some(nil)
            }
            _ = try await connection.del(long)
            return (ttl, pttl, expired)
        }
        #expect(ttl.map { (25...30).contains($0) } == true, "TTL \(String(describing: ttl))")
        #expect(pttl.map { (1...150).contains($0) } == true, "PTTL \(String(describing: pttl))")
        #expect(expired)
    }

    @Test func valuesAreBinarySafeAndLargeOnesSurviveManyReadsAndWrites() async throws {
        let configuration = try redisConfiguration()
        let key = uniqueKey()
        let everyByte = (0...255).map(UInt8.init) + Array("\r\n$-1\r\n".utf8) + [0, 0, 13, 10]
        var generator = SystemRandomNumberGenerator()
        // 2 MiB: more than a socket buffer, so hiredis writes and reads in many steps.
        let large = (0..<(2 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (small, big) = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            try await connection.set(key, everyByte)
            let small = try await connection.get(key)
            try await connection.set(key, large)
            let big = try await connection.get(key)
            _ = try await connection.del(key)
            return (small, big)
        }
        #expect(small == everyByte)
        #expect(big == large)
    }

    @Test func aThousandPipelinedCommandsAreAnsweredInOrder() async throws {
        let configuration = try redisConfiguration { $0.commandTimeout = .seconds(10) }
        let list = uniqueKey()
        let (popped, inFlight, echoes) = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            let other = try await RedisConnection.connect(configuration, on: loop)
            defer { other.close() }
            // A BLPOP at the head holds every answer behind it back, so the 1000 ECHOs are
            // provably in flight together; a push from another connection lets them all go.
            async let popped = connection.command(["BLPOP", list, "10"])
            _ = await eventually { connection.commandsInFlight == 1 }
            let (inFlight, echoes) = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<1000 {
                    group.addTask(executorPreference: loop) {
                        // Sizes vary so that answers straddle socket reads.
                        let payload = "\(index):" + String(repeating: "x", count: index % 97 * 13)
                        return (index, try await connection.command(["ECHO", payload]).string)
                    }
                }
                let inFlight = await eventually { connection.commandsInFlight == 1001 }
                _ = try await other.command(["LPUSH", list, "go"])
                var echoes: [Int: String?] = [:]
                for try await (index, echo) in group { echoes[index] = echo }
                return (inFlight, echoes)
            }
            return (try await popped, inFlight, echoes)
        }
        #expect(inFlight, "the commands were not in flight together")
        #expect(popped == .array([.bulkString(Array(list.utf8)), .bulkString(Array("go".utf8))]))
        #expect(echoes.count == 1000)
        let mismatched = echoes.filter { index, echo in
            echo != "\(index):" + String(repeating: "x", count: index % 97 * 13)
        }
        #expect(mismatched.isEmpty, "\(mismatched.count) callers got another caller's answer")
    }

    @Test func anErrorReplyThrowsAServerErrorAndTheConnectionStaysUsable() async throws {
        let configuration = try redisConfiguration()
        let key = uniqueKey()
        let (error, usable, pong) = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            try await connection.set(key, "not a number")
            let error = await redisError { _ = try await connection.command(["INCR", key]) }
            let pong = try await connection.command(["PING"])
            _ = try await connection.del(key)
            return (error, connection.isUsable, pong)
        }
        guard case .server(let message)? = error else {
            Issue.record("expected a server error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("not an integer"), "\(message)")
        #expect(usable)
        #expect(pong == .simpleString("PONG"))
    }

    @Test func errorsInsideAnArrayAreValues() async throws {
        let configuration = try redisConfiguration()
        let reply = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            return try await connection.command([
                "EVAL", "return {7, 'seven', redis.error_reply('boom'), false}", "0",
            ])
        }
        let elements = try #require(reply.array)
        #expect(elements.count == 4)
        #expect(elements[0] == .integer(7))
        #expect(elements[1].string == "seven")
        if case .error(let message) = elements[2] {
            #expect(message.contains("boom"))
        } else {
            Issue.record("expected an error element, got \(elements[2])")
        }
        #expect(elements[3] == .null)
    }

    @Test func aCommandPastItsTimeoutFailsWithTimeoutAndDropsTheConnection() async throws {
        let configuration = try redisConfiguration { $0.commandTimeout = .milliseconds(200) }
        let key = uniqueKey()
        let outcome = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            let started = ContinuousClock.now
            // BLPOP on an empty list holds the answer back for 5 s; PING queues behind it.
            async let blocked = redisError { _ = try await connection.command(["BLPOP", key, "5"]) }
            _ = await eventually { connection.commandsInFlight == 1 }
            let behindError = await redisError { try await connection.ping() }
            let blockedError = await blocked
            let elapsed = ContinuousClock.now - started
            let after = await redisError { try await connection.ping() }
            let fresh = try await RedisConnection.connect(configuration, on: loop)
            defer { fresh.close() }
            let freshPong = try await fresh.command(["PING"])
            return (blockedError, behindError, elapsed, connection.isUsable, after, freshPong)
        }
        #expect(outcome.0 == .timeout)
        // The command behind fails too: dropped with the connection, or by its own timeout when
        // a loaded loop handles both timers in the same turn (either way it is never answered).
        switch outcome.1 {
        case .connectionLost?, .timeout?: break
        default:
            Issue.record("the command behind should fail, got \(String(describing: outcome.1))")
            return
        }
        #expect(outcome.2 >= .milliseconds(200), "took \(outcome.2): the timeout fired early")
        #expect(outcome.3 == false)
        guard case .connectionLost? = outcome.4 else {
            Issue.record("a command on the dropped connection should fail, got \(String(describing: outcome.4))")
            return
        }
        #expect(outcome.5 == .simpleString("PONG"))
    }

    @Test func aClosedPortFailsToConnectPromptly() async throws {
        let refusing = RefusingPort()
        let configuration = RedisConnection.Configuration(host: "127.0.0.1", port: refusing.port)
        let error = await redisError {
            _ = try await onLoop { loop in try await RedisConnection.connect(configuration, on: loop) }
        }
        withExtendedLifetime(refusing) {}
        guard case .connectFailed(let message)? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        // "refused", not the connect timeout's message: it failed on the refusal, not by waiting
        // (no wall-clock bound: this machine is shared and noisy).
        #expect(message.lowercased().contains("refused"), "\(message)")
        // It names the address tried, so an operator can tell which Redis it meant.
        #expect(message.contains("127.0.0.1:\(refusing.port)"), "\(message)")
    }

    @Test func aConnectThatGetsNoAnswerFailsAtTheConnectTimeout() async throws {
        let listener = UnansweringListener()
        let configuration = {
            var configuration = RedisConnection.Configuration(host: "127.0.0.1", port: listener.port)
            configuration.connectTimeout = .milliseconds(200)
            return configuration
        }()
        let started = ContinuousClock.now
        let error = await redisError {
            _ = try await onLoop { loop in try await RedisConnection.connect(configuration, on: loop) }
        }
        let took = ContinuousClock.now - started
        withExtendedLifetime(listener) {}
        guard case .connectFailed(let message)? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(message.contains("no connection within"), "\(message)")
        #expect(took >= .milliseconds(200), "took \(took): the connect timeout fired early")
    }

    @Test func theDatabaseFromTheURLIsSelected() async throws {
        let database0 = try redisConfiguration()
        let database3 = try RedisConnection.Configuration(url: redisURL + "/3")
        let key = uniqueKey()
        let (inDatabase3, inDatabase0) = try await onLoop { loop in
            let three = try await RedisConnection.connect(database3, on: loop)
            defer { three.close() }
            let zero = try await RedisConnection.connect(database0, on: loop)
            defer { zero.close() }
            try await three.set(key, "three", ttl: .seconds(60))
            let values = (try await three.get(key), try await zero.get(key))
            _ = try await three.del(key)
            return values
        }
        #expect(inDatabase3 == Array("three".utf8))
        #expect(inDatabase0 == nil)
    }

    @Test func aDatabaseTheServerDoesNotHaveFailsTheConnect() async throws {
        let configuration = try RedisConnection.Configuration(url: redisURL + "/9999")
        let error = await redisError {
            _ = try await onLoop { loop in try await RedisConnection.connect(configuration, on: loop) }
        }
        guard case .connectFailed(let message)? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(message.contains("SELECT 9999"), "\(message)")
    }

    @Test(arguments: [["SUBSCRIBE", "news"], ["psubscribe", "n*"], ["MONITOR"], []])
    func streamingCommandsAreRefused(_ arguments: [String]) async throws {
        let configuration = try redisConfiguration()
        let (error, stillWorks) = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            defer { connection.close() }
            let error = await redisError { _ = try await connection.command(arguments) }
            return (error, try await connection.command(["PING"]))
        }
        guard case .misuse? = error else {
            Issue.record("expected misuse, got \(String(describing: error))")
            return
        }
        #expect(stillWorks == .simpleString("PONG"))
    }

    @Test func closingFailsTheCommandsInFlight() async throws {
        let configuration = try redisConfiguration { $0.commandTimeout = .seconds(10) }
        let key = uniqueKey()
        let error = try await onLoop { loop in
            let connection = try await RedisConnection.connect(configuration, on: loop)
            return try await withThrowingTaskGroup(of: RedisError?.self) { group in
                group.addTask(executorPreference: loop) {
                    await redisError { _ = try await connection.command(["BLPOP", key, "5"]) }
                }
                // Close as soon as the BLPOP is on its way.
                _ = await eventually { connection.commandsInFlight == 1 }
                connection.close()
                return try await group.next() ?? nil
            }
        }
        guard case .misuse? = error else {
            Issue.record("expected misuse (closed), got \(String(describing: error))")
            return
        }
    }
}

