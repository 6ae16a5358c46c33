import Domain

/// `limit` and `cursor` of a paged list, checked; problems are added to the caller's list.
struct PageQuery {
    let limit: Int
    let cursor: Cursor?

    /// nil when a value is bad (its problem is then in `problems`).
    init?(_ query: QueryParameters, sizes: ClosedRange<Int>, defaultSize: Int, problems: inout [FieldProblem]) {
        let limit = query["limit"].map { Int($0) } ?? defaultSize
        var valid = true
        if limit == nil || !sizes.contains(limit!) {
            problems.append(FieldProblem("limit", "must be an integer from \(sizes.lowerBound) to \(sizes.upperBound)"))
            valid = false
        }
        let cursor = query["cursor"].map(Cursor.init(token:))
        if case .some(.none) = cursor {
            problems.append(FieldProblem("cursor", "is not a cursor this API gave out"))
            valid = false
        }
        guard valid, let limit else { return nil }
        self.limit = limit
        self.cursor = cursor ?? nil
    }
}
