/// Why paying could not be done through the provider. Refusals of the order itself (not
/// found, wrong state, window closed) are `OrdersError`s.
public enum PaymentsError: Error, Sendable, Equatable {
    /// No provider is configured.
    case notConfigured
    /// The provider failed or did not answer; the same request may be retried.
    case providerUnavailable(String)
    /// The provider refused (its answer is the detail).
    case providerRefused(String)
}
