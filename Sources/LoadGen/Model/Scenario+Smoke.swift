extension Scenario {
    /// How long a smoke run loads, and its ceilings.
    public enum Smoke {
        public static let duration = Duration.seconds(3)
        public static let maxRate = 20.0
        public static let maxVirtualUsers = 4
        public static let maxStock = 20
        public static let maxUsers = 60
        public static let maxCopies = 10
        /// Sale windows end this long after the load at the latest, so groups expire soon.
        public static let saleWindowAfterLoad = Duration.seconds(5)
    }

    /// The same scenario, small: a few seconds at a low rate with small stock, so CI can run
    /// every scenario with its checks in well under a minute (deals that must sell out get at
    /// most `Smoke.maxStock` units so the few buyers empty them). Flows, expectations and checks
    /// are unchanged: a smoke run fails for the same reasons a full run would.
    public func scaledForSmoke() -> Scenario {
        var small = self
        small.smoke = true
        small.users = Swift.min(users, Smoke.maxUsers)
        small.deals = deals.map { deal in
            var deal = deal
            // Only deals that must sell out get less stock: the few smoke buyers must empty them.
            if checks.soldOut.contains(deal.name) { deal.stock = Swift.min(deal.stock, Smoke.maxStock) }
            deal.copies = Swift.min(deal.copies, Smoke.maxCopies)
            deal.endsIn = Swift.min(deal.endsIn, Smoke.duration + Smoke.saleWindowAfterLoad)
            return deal
        }
        switch load.mode {
        case .open(let schedule):
            let peak = schedule.stages.map(\.rate).max() ?? Smoke.maxRate
            small.load.mode = .open(RateSchedule(stages: [.init(rate: Swift.min(peak, Smoke.maxRate), duration: Smoke.duration)]))
        case .closed(let vus):
            small.load.mode = .closed(vus: Swift.min(vus, Smoke.maxVirtualUsers))
        }
        small.load.warmup = .zero
        small.load.ramp = .zero
        small.load.duration = Smoke.duration
        // At most one iteration per smoke user: a closed loop on a fast build would otherwise
        // run hundreds a second through the 60 users and meet their purchase limits, a
        // refusal the full run never sees.
        small.load.iterations = Swift.min(load.iterations ?? small.users, small.users)
        return small
    }
}
