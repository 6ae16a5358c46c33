import HTTPClient
public import HTTPServer
public import IOCore
import Logging

/// How a sandbox starts.
public struct SandboxSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8099
    /// Callers must send `Authorization: Bearer <apiKey>` on /v1.
    public var apiKey = "sk_test_sandbox"
    /// Where events are POSTed; nil records them without delivering.
    public var webhookURL: String?
    /// The HMAC key of `PSP-Signature`.
    public var webhookSecret = "whsec_sandbox"
    /// Seeds probabilities and shuffles: the same seed, the same misbehaviour. Ids start with
    /// eight random characters per start (and per reset), so they never repeat across restarts.
    public var seed: UInt64 = 1
    /// Event loops serving the API (deliveries run on the first).
    public var loops = 1
    /// The knobs at start (and after a reset).
    public var knobs = Knobs()
    /// Receives one line per delivery attempt and per change of the knobs (the executable
    /// writes them to stderr).
    public var log: @Sendable (String) -> Void = { _ in }

    public init() {}
}

/// The stand-in payment provider: its API on our HTTPServer, state in memory, signed
/// webhooks delivered with the misbehaviour the knobs ask for. See docs/PSP.md.
public final class PSPSandbox: Sendable {
    public let settings: SandboxSettings
    public let group: EventLoopGroup
    /// The HTTP server (a `Service`, for a ServiceGroup).
    public let server: HTTPServer
    private let dispatcher: WebhookDispatcher

    public init(settings: SandboxSettings) throws {
        let problems = settings.knobs.problems
        guard problems.isEmpty else { throw SandboxSettingsError(message: problems.joined(separator: "; ")) }
        let target = try settings.webhookURL.map { url throws(SandboxSettingsError) in try WebhookTarget(url: url) }
        self.settings = settings
        var configuration = ServerConfiguration()
        configuration.host = settings.host
        configuration.port = settings.port
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        loopConfiguration.buffersPreallocated = 8
        group = try EventLoopGroup(count: max(1, settings.loops), configuration: loopConfiguration)
        let ledger = Ledger(knobs: settings.knobs, seed: settings.seed)
        dispatcher = WebhookDispatcher(loop: group.loops[0], ledger: ledger, target: target, secret: settings.webhookSecret, log: settings.log)
        var routes = RouterBuilder()
        SandboxRoutes(ledger: ledger, dispatcher: dispatcher, apiKey: settings.apiKey).add(to: &routes)
        server = HTTPServer(
            configuration: configuration, group: group, router: try routes.build(),
            logger: Logger(label: "psp-sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    /// Binds and serves; returns the port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let port = try await server.start()
        settings.log(SandboxControlRoutes.knobsLine(settings.knobs, after: "start"))
        return port
    }

    /// Stops serving, closes the webhook connections and the loops. Not from a loop thread.
    public func shutdown() async throws {
        try await server.shutdown()
        let dispatcher = self.dispatcher
        try? await dispatcher.loop.submit { dispatcher.closeConnections() }
        group.shutdown()
    }
}

/// Settings the sandbox cannot start with.
public struct SandboxSettingsError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
