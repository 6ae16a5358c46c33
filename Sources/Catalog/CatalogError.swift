public import Domain

/// Why a catalog operation was refused. The API maps each to its HTTP answer.
public enum CatalogError: Error, Sendable, Equatable {
    case dealNotFound
    /// The client's version (If-Match) is not the deal's current one.
    case versionMismatch(current: Int)
    /// A closed deal cannot be changed.
    case dealClosed
    /// The status change would strand the deal's orders (`DealStatus.allowsChange`); the detail says why.
    case statusChangeRefused(String)
    case invalid([FieldProblem])
}
