import HTTPClient
import HTTPCodec
import PSPClient
import PSPWire
import Testing

/// Issue 12: a service keeps its database while the sandbox restarts with the same seed, or is
/// reset; ids the sandbox handed out before must never come back (they are unique there).
@Suite struct SandboxIdentifierTests {
    @Test func idsNeverRepeatAcrossRestartsWithTheSameSeedOrResets() async throws {
        var seen: Set<String> = []
        for _ in 0..<2 {
            let harness = try await SandboxHarness.start()  // seed 7 every time
            for round in 0..<2 {
                if round == 1 { #expect(try await harness.call(.post, "/_sandbox/reset", authorized: false).status == 200) }
                // The same key and request each time: only the sandbox's own state makes the id.
                let paid = try await harness.paidIntent(amount: 500, key: "payment-1")
                let refund = try await harness.psp.refund(intentID: paid.id, amount: 500, idempotencyKey: "refund-1")
                let events = try await harness.events().compactMap { $0["id"] as? String }
                for id in [paid.id, refund.id] + events {
                    #expect(seen.insert(id).inserted, "\(id) was handed out before")
                }
                #expect(paid.id.hasPrefix("pi_") && paid.id.count == 27 && refund.id.hasPrefix("re_"), "\(paid.id) \(refund.id)")
            }
            try await harness.stop()
        }
        #expect(seen.count >= 2 * 2 * 3)
    }
}
