/// What a token lets its holder do: buyers use the shop, admins also run it.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case buyer
    case admin
}
