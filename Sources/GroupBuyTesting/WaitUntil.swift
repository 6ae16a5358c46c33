import Foundation

public struct WaitTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Polls `condition` until it holds, for effects that arrive asynchronously (webhooks, sweeps).
/// The bound only catches a hang: passing never depends on how fast anything is.
public func waitUntil(_ what: String, within seconds: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw WaitTimedOut(description: "timed out waiting for \(what)")
}
