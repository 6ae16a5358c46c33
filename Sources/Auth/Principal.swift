/// Who a verified token speaks for.
public struct Principal: Sendable, Hashable {
    /// The token's `sub` claim: never empty.
    public let userID: String
    public let role: Role
    /// The token's `jti` claim, when it has one: names this token, e.g. for revoking it.
    public let tokenID: String?

    public init(userID: String, role: Role, tokenID: String?) {
        self.userID = userID
        self.role = role
        self.tokenID = tokenID
    }
}
