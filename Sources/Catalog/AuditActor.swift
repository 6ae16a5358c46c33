/// Who makes an admin change, for the audit log.
public struct AuditActor: Sendable {
    public let userID: String
    public let requestID: String

    public init(userID: String, requestID: String) {
        self.userID = userID
        self.requestID = requestID
    }
}
