public import IOCore

/// What setup made for a run and the engine fills templates from.
public struct RunContext: Sendable {
    /// Unique per run (`${run}`): Idempotency-Keys and user ids of two runs never collide.
    public var runID: String
    /// Deal ids by scenario deal name; a deal with copies has one id per copy, first copy first.
    public var dealIDs: [String: [Int64]]
    /// Buyers: their ids and bearer tokens, used round-robin by iterations.
    public var users: [(id: String, token: String)]
    /// The admin bearer token (`as: admin` steps and the checks).
    public var adminToken: String
    public var service: Endpoint
    /// The payment provider, for `target: provider` steps.
    public var provider: Endpoint?

    public init(
        runID: String, dealIDs: [String: [Int64]], users: [(id: String, token: String)], adminToken: String, service: Endpoint, provider: Endpoint?
    ) {
        self.runID = runID
        self.dealIDs = dealIDs
        self.users = users
        self.adminToken = adminToken
        self.service = service
        self.provider = provider
    }
}

/// A server to send to: its address and the Host header value; `bearer` is added to every
/// request that has no actor token of its own (the provider's API key).
public struct Endpoint: Sendable {
    public var address: SocketAddress
    public var host: String
    public var bearer: String?

    public init(address: SocketAddress, host: String, bearer: String? = nil) {
        self.address = address
        self.host = host
        self.bearer = bearer
    }
}
