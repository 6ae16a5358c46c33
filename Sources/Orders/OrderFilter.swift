/// Which orders an admin lists (each nil: any).
public struct OrderFilter: Sendable {
    public var status: String?
    public var dealID: Int64?
    public var userID: String?
    public var groupID: Int64?

    public init(status: String? = nil, dealID: Int64? = nil, userID: String? = nil, groupID: Int64? = nil) {
        self.status = status
        self.dealID = dealID
        self.userID = userID
        self.groupID = groupID
    }
}
