import Catalog
import Domain
import Testing

struct DealDraftTests {
    static let valid = DealDraft(
        title: "Mango box", description: "5 kg", imageURL: "https://img.example/mango.jpg", currency: "EUR", listPrice: 2_000,
        groupPrice: 1_500, groupSize: 3, groupTimeLimitSeconds: 86_400, startsAt: Timestamp(secondsSinceEpoch: 1_800_000_000),
        endsAt: Timestamp(secondsSinceEpoch: 1_800_086_400), perUserLimit: 2, status: .active
    )

    @Test func aValidDraftHasNoProblems() {
        #expect(Self.valid.problems.isEmpty)
    }

    @Test(arguments: [
        ("title", { @Sendable (d: inout DealDraft) in d.title = "   " }),
        ("title", { @Sendable (d: inout DealDraft) in d.title = String(repeating: "x", count: 201) }),
        ("description", { @Sendable (d: inout DealDraft) in d.description = String(repeating: "x", count: 5_001) }),
        ("imageUrl", { @Sendable (d: inout DealDraft) in d.imageURL = "ftp://x/y" }),
        ("imageUrl", { @Sendable (d: inout DealDraft) in d.imageURL = "https://" }),
        ("imageUrl", { @Sendable (d: inout DealDraft) in d.imageURL = "https://a b" }),
        ("currency", { @Sendable (d: inout DealDraft) in d.currency = "eur" }),
        ("currency", { @Sendable (d: inout DealDraft) in d.currency = "EURO" }),
        ("listPrice", { @Sendable (d: inout DealDraft) in d.listPrice = 0 }),
        ("groupPrice", { @Sendable (d: inout DealDraft) in d.groupPrice = 2_001 }),
        ("groupPrice", { @Sendable (d: inout DealDraft) in d.groupPrice = -1 }),
        ("groupSize", { @Sendable (d: inout DealDraft) in d.groupSize = 1 }),
        ("groupSize", { @Sendable (d: inout DealDraft) in d.groupSize = 101 }),
        ("groupTimeLimitSeconds", { @Sendable (d: inout DealDraft) in d.groupTimeLimitSeconds = 59 }),
        ("endsAt", { @Sendable (d: inout DealDraft) in d.endsAt = d.startsAt }),
        ("perUserLimit", { @Sendable (d: inout DealDraft) in d.perUserLimit = 0 }),
        ("status", { @Sendable (d: inout DealDraft) in d.status = .closed }),
    ] as [(String, @Sendable (inout DealDraft) -> Void)])
    func eachBrokenRuleNamesItsField(field: String, breakRule: @Sendable (inout DealDraft) -> Void) {
        var draft = Self.valid
        breakRule(&draft)
        #expect(draft.problems.map(\.field) == [field])
    }

    @Test func everyProblemIsListedAtOnce() {
        var draft = Self.valid
        draft.title = ""
        draft.currency = "x"
        draft.groupSize = 0
        #expect(Set(draft.problems.map(\.field)) == ["title", "currency", "groupSize"])
    }

    @Test func changesApplyOnlyWhatTheyName() {
        var changes = DealChanges()
        changes.title = "New"
        changes.imageURL = .some(nil)
        let changed = changes.applied(to: Self.valid)
        #expect(changed.title == "New")
        #expect(changed.imageURL == nil)
        #expect(changed.listPrice == Self.valid.listPrice)
        #expect(DealChanges().isEmpty && !changes.isEmpty)
    }
}
