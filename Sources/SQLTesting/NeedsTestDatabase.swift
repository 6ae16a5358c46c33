package import Testing

extension Trait where Self == ConditionTrait {
    /// Runs a suite of SQL function tests only where the test cluster is set up (scripts/test.sh).
    package static var needsTestDatabase: Self {
        .enabled(if: functionsTestDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)")
    }
}
