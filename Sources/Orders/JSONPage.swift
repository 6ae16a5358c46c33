public import Domain

/// A page of JSON items rendered by the database.
public struct JSONPage: Sendable {
    public var items: [String]
    public var nextCursor: Cursor?

    public init(items: [String], nextCursor: Cursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
