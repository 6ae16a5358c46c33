public import Domain

/// What an admin sets on a deal (at creation, or the result of applying changes to a deal).
/// `problems` lists every rule it breaks; an empty list means it can be stored.
public struct DealDraft: Sendable, Equatable {
    public var title: String
    public var description: String
    public var imageURL: String?
    public var currency: String
    public var listPrice: Int64
    public var groupPrice: Int64
    public var groupSize: Int
    public var groupTimeLimitSeconds: Int
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var perUserLimit: Int
    public var status: DealStatus
    /// Made by a load test: hidden from the public list, readable by id. Set at creation only.
    public var testData: Bool

    public init(
        title: String, description: String = "", imageURL: String? = nil, currency: String, listPrice: Int64,
        groupPrice: Int64, groupSize: Int, groupTimeLimitSeconds: Int, startsAt: Timestamp, endsAt: Timestamp,
        perUserLimit: Int, status: DealStatus = .draft, testData: Bool = false
    ) {
        self.title = title
        self.description = description
        self.imageURL = imageURL
        self.currency = currency
        self.listPrice = listPrice
        self.groupPrice = groupPrice
        self.groupSize = groupSize
        self.groupTimeLimitSeconds = groupTimeLimitSeconds
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.perUserLimit = perUserLimit
        self.status = status
        self.testData = testData
    }

    /// Limits, also enforced by CHECK constraints in migrations/0001_catalog.sql.
    public enum Limits {
        public static let titleCharacters = 1...200
        public static let descriptionCharacters = 5_000
        public static let imageURLBytes = 2_048
        public static let price: ClosedRange<Int64> = 1...1_000_000_000_000
        public static let groupSize = 2...100
        public static let groupTimeLimitSeconds = 60...2_592_000
        public static let perUserLimit = 1...1_000
        public static let initialStock = 0...10_000_000
    }

    /// Every rule broken, named by the JSON field names of the API.
    public var problems: [FieldProblem] {
        var problems: [FieldProblem] = []
        let titleLength = title.count
        if title.allSatisfy(\.isWhitespace) {
            problems.append(FieldProblem("title", "must not be empty"))
        } else if !Limits.titleCharacters.contains(titleLength) {
            problems.append(FieldProblem("title", "must be at most \(Limits.titleCharacters.upperBound) characters"))
        }
        if description.count > Limits.descriptionCharacters {
            problems.append(FieldProblem("description", "must be at most \(Limits.descriptionCharacters) characters"))
        }
        if let imageURL, !Self.isWebURL(imageURL) {
            problems.append(FieldProblem("imageUrl", "must be an http or https URL of at most \(Limits.imageURLBytes) bytes"))
        }
        if currency.utf8.count != 3 || !currency.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
            problems.append(FieldProblem("currency", "must be an ISO 4217 code of three capital letters"))
        }
        if !Limits.price.contains(listPrice) {
            problems.append(FieldProblem("listPrice", "must be between 1 and \(Limits.price.upperBound) minor units"))
        }
        if !Limits.price.contains(groupPrice) {
            problems.append(FieldProblem("groupPrice", "must be between 1 and \(Limits.price.upperBound) minor units"))
        } else if Limits.price.contains(listPrice) && groupPrice > listPrice {
            problems.append(FieldProblem("groupPrice", "must not exceed listPrice"))
        }
        if !Limits.groupSize.contains(groupSize) {
            problems.append(FieldProblem("groupSize", "must be between \(Limits.groupSize.lowerBound) and \(Limits.groupSize.upperBound)"))
        }
        if !Limits.groupTimeLimitSeconds.contains(groupTimeLimitSeconds) {
            problems.append(
                FieldProblem(
                    "groupTimeLimitSeconds",
                    "must be between \(Limits.groupTimeLimitSeconds.lowerBound) and \(Limits.groupTimeLimitSeconds.upperBound)"
                )
            )
        }
        if endsAt <= startsAt {
            problems.append(FieldProblem("endsAt", "must be after startsAt"))
        }
        if !Limits.perUserLimit.contains(perUserLimit) {
            problems.append(FieldProblem("perUserLimit", "must be between \(Limits.perUserLimit.lowerBound) and \(Limits.perUserLimit.upperBound)"))
        }
        if status == .closed {
            problems.append(FieldProblem("status", "must be draft, active or paused (close a deal with its close action)"))
        }
        return problems
    }

    static func isWebURL(_ text: String) -> Bool {
        guard text.utf8.count <= Limits.imageURLBytes else { return false }
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            rest = lowered.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            rest = lowered.dropFirst(7)
        } else {
            return false
        }
        // A host, and only visible ASCII (no spaces or controls that could break a page).
        return !rest.isEmpty && !rest.hasPrefix("/") && text.utf8.allSatisfy { $0 > 32 && $0 < 127 }
    }
}

/// A partial update: nil leaves a field as it is; `imageURL: .some(nil)` clears the image.
public struct DealChanges: Sendable, Equatable {
    public var title: String?
    public var description: String?
    public var imageURL: String??
    public var currency: String?
    public var listPrice: Int64?
    public var groupPrice: Int64?
    public var groupSize: Int?
    public var groupTimeLimitSeconds: Int?
    public var startsAt: Timestamp?
    public var endsAt: Timestamp?
    public var perUserLimit: Int?
    public var status: DealStatus?

    public init() {}

    public var isEmpty: Bool { self == DealChanges() }

    /// `draft` with these changes made.
    public func applied(to draft: DealDraft) -> DealDraft {
        var result = draft
        if let title { result.title = title }
        if let description { result.description = description }
        if let imageURL { result.imageURL = imageURL }
        if let currency { result.currency = currency }
        if let listPrice { result.listPrice = listPrice }
        if let groupPrice { result.groupPrice = groupPrice }
        if let groupSize { result.groupSize = groupSize }
        if let groupTimeLimitSeconds { result.groupTimeLimitSeconds = groupTimeLimitSeconds }
        if let startsAt { result.startsAt = startsAt }
        if let endsAt { result.endsAt = endsAt }
        if let perUserLimit { result.perUserLimit = perUserLimit }
        if let status { result.status = status }
        return result
    }
}
