import HTTPCodec
import HTTPServer
import IOCore
import Logging
import PSPWire
import Synchronization

/// A webhook endpoint on our HTTPServer (ephemeral port) that verifies every signature and
/// records what arrived. It can be told to answer the next deliveries with an error.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let event: PSPEvent
        let body: [UInt8]
        let signatureValid: Bool
    }

    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int
    let secret: String
    private let state = Mutex(State())

    private struct State {
        var received: [Received] = []
        var failNext = 0
        var invalidSignatures = 0
    }

    var url: String { "http://127.0.0.1:\(port)/hooks/psp" }

    private init(group: EventLoopGroup, server: HTTPServer, port: Int, secret: String) {
        self.group = group
        self.server = server
        self.port = port
        self.secret = secret
    }

    static func start(secret: String = "whsec_receiver") async throws -> WebhookReceiver {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        let box = ReceiverBox()
        var routes = RouterBuilder()
        routes.post("/hooks/psp", .immediate { request, _ in box.receiver!.handle(request) })
        let server = HTTPServer(
            configuration: configuration, group: group, router: try routes.build(),
            logger: Logger(label: "receiver", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let port = try await server.start()
        let receiver = WebhookReceiver(group: group, server: server, port: port, secret: secret)
        box.receiver = receiver
        return receiver
    }

    private func handle(_ request: Request) -> Response {
        let body = request.body.bytes
        let header = request.headers.first(WebhookSignature.headerName) ?? ""
        let valid = (try? WebhookSignature.verify(header: header, body: body, secret: secret, now: WallClockTime.now().seconds)) != nil
        let event = try? PSPJSON.decode(PSPEvent.self, from: body)
        let fail = state.withLock { state -> Bool in
            guard valid, let event else {
                state.invalidSignatures += 1
                return true
            }
            if state.failNext > 0 {
                state.failNext -= 1
                return true
            }
            state.received.append(Received(event: event, body: body, signatureValid: valid))
            return false
        }
        return fail ? Response(status: .internalServerError) : Response(status: .noContent)
    }

    /// Answer the next `count` deliveries with 500 (not recorded).
    func failNext(_ count: Int) {
        state.withLock { $0.failNext = count }
    }

    var received: [Received] { state.withLock { $0.received } }
    var invalidSignatures: Int { state.withLock { $0.invalidSignatures } }

    /// Waits until `count` deliveries were recorded; fails the test after a generous bound.
    @discardableResult
    func waitFor(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Received] {
        try await eventually("\(count) deliveries", sourceLocation: sourceLocation) { self.received.count >= count }
        return received
    }

    func stop() async throws {
        try await server.shutdown()
        group.shutdown()
    }
}

private final class ReceiverBox: @unchecked Sendable {
    var receiver: WebhookReceiver?
}

import Testing

/// Polls `condition` until it holds; records an issue (and throws) after `limit`. The bound
/// only catches a hang: passing never depends on how fast anything is.
func eventually(
    _ what: String,
    limit: Duration = .seconds(15),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: limit)
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
            throw WaitTimeout()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

struct WaitTimeout: Error {}
