import PSPWire

extension PaymentsService {
    /// The client secret of the provider's intent: what the buyer confirms it with, instead
    /// of our API key. Asked of the provider each time and never stored here (the provider's
    /// advice: retrieve it server-side when the buyer needs it). nil when it has none.
    public func clientSecret(intentID: String) async throws -> String? {
        guard let provider else { throw PaymentsError.notConfigured }
        do {
            return try await provider.intent(id: intentID).clientSecret
        } catch let failure as RetryableFailure where failure.isRetryable {
            throw PaymentsError.providerUnavailable("\(failure)")
        } catch {
            throw PaymentsError.providerRefused("\(error)")
        }
    }
}
