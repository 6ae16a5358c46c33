import Catalog
import Testing

/// The rule behind 409 `deal-status-transition`: of all 16 changes, only those back to draft
/// need a deal nobody has ordered (drafts are hidden from buyers).
@Suite struct DealStatusTransitionRuleTests {
    static let needingNoOrders: Set<[DealStatus]> = [[.active, .draft], [.paused, .draft], [.closed, .draft]]

    @Test(arguments: DealStatus.allCases, DealStatus.allCases)
    func onlyGoingBackToDraftNeedsADealWithoutOrders(from current: DealStatus, to next: DealStatus) {
        #expect(current.requiresNoOrders(toBecome: next) == Self.needingNoOrders.contains([current, next]), "\(current) → \(next)")
    }
}
