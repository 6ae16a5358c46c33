extension Settings {
    /// The URLs also come from the conventional `DATABASE_URL` and `REDIS_URL`, below
    /// `GROUPBUY_DATABASE_URL`/`GROUPBUY_REDIS_URL` and above the file (see `SettingsReader.url`).
    mutating func readServices(_ reader: inout SettingsReader, defaults: Settings) {
        let hour = 3_600_000
        let db = defaults.database
        database.url = reader.url("database.url", conventionalVariable: "DATABASE_URL", default: db.url, allowEmpty: false)
        database.passwordFile = reader.optionalString("database.password_file")
        database.poolMin = reader.int("database.pool_min", default: db.poolMin, in: 0...1_000)
        database.poolMax = reader.int("database.pool_max", default: db.poolMax, in: 1...1_000)
        database.poolMaxWaiters = reader.int("database.pool_max_waiters", default: db.poolMaxWaiters, in: 0...1_000_000)
        database.acquireTimeoutMs = reader.int("database.acquire_timeout_ms", default: db.acquireTimeoutMs, in: 1...hour)
        database.idleTimeoutMs = reader.int("database.idle_timeout_ms", default: db.idleTimeoutMs, in: 10...24 * hour)
        database.maxLifetimeMs = reader.int("database.max_lifetime_ms", default: db.maxLifetimeMs, in: 1_000...7 * 24 * hour)
        database.healthCheckAfterIdleMs = reader.int(
            "database.health_check_after_idle_ms", default: db.healthCheckAfterIdleMs, in: 0...24 * hour
        )
        database.statementTimeoutMs = reader.int("database.statement_timeout_ms", default: db.statementTimeoutMs, in: 0...hour)
        database.migrateOnStart = reader.bool("database.migrate_on_start", default: db.migrateOnStart)
        database.migrationsDirectory = reader.string("database.migrations_directory", default: db.migrationsDirectory)

        let rd = defaults.redis
        redis.url = reader.url("redis.url", conventionalVariable: "REDIS_URL", default: rd.url, allowEmpty: true)
        redis.connectTimeoutMs = reader.int("redis.connect_timeout_ms", default: rd.connectTimeoutMs, in: 1...60_000)
        redis.commandTimeoutMs = reader.int("redis.command_timeout_ms", default: rd.commandTimeoutMs, in: 1...60_000)
        redis.breakerFailures = reader.int("redis.breaker_failures", default: rd.breakerFailures, in: 1...1_000)
        redis.breakerOpenMs = reader.int("redis.breaker_open_ms", default: rd.breakerOpenMs, in: 1...hour)

        let ct = defaults.catalog
        catalog.cacheTTLSeconds = reader.int("catalog.cache_ttl_seconds", default: ct.cacheTTLSeconds, in: 1...86_400)
        catalog.cacheMissingTTLSeconds = reader.int("catalog.cache_missing_ttl_seconds", default: ct.cacheMissingTTLSeconds, in: 1...86_400)
        catalog.nearCacheTTLMs = reader.int("catalog.near_cache_ttl_ms", default: ct.nearCacheTTLMs, in: 0...60_000)
        catalog.slotsPerDeal = reader.int("catalog.slots_per_deal", default: ct.slotsPerDeal, in: 1...1_024)

        let od = defaults.orders
        orders.inventoryStrategy = reader.string("orders.inventory_strategy", default: od.inventoryStrategy, oneOf: ["slots", "single_row"])
        orders.paymentWindowSeconds = reader.int("orders.payment_window_seconds", default: od.paymentWindowSeconds, in: 1...86_400)
        orders.idempotencyTTLSeconds = reader.int("orders.idempotency_ttl_seconds", default: od.idempotencyTTLSeconds, in: 60...30 * 86_400)

        let wk = defaults.workers
        workers.enabled = reader.bool("workers.enabled", default: wk.enabled)
        workers.expireOrdersPeriodMs = reader.int("workers.expire_orders_period_ms", default: wk.expireOrdersPeriodMs, in: 10...hour)
        workers.failGroupsPeriodMs = reader.int("workers.fail_groups_period_ms", default: wk.failGroupsPeriodMs, in: 10...hour)
        workers.confirmGroupsPeriodMs = reader.int("workers.confirm_groups_period_ms", default: wk.confirmGroupsPeriodMs, in: 10...hour)
        workers.purgeIdempotencyKeysPeriodMs = reader.int(
            "workers.purge_idempotency_keys_period_ms", default: wk.purgeIdempotencyKeysPeriodMs, in: 10...24 * hour
        )
        workers.batchSize = reader.int("workers.batch_size", default: wk.batchSize, in: 1...10_000)

        let pm = defaults.payments
        payments.providerAddress = reader.optionalString("payments.provider_address")
        payments.apiKey = reader.secret("payments.api_key")
        payments.apiKeyFile = reader.optionalString("payments.api_key_file")
        payments.webhookSecrets = reader.secret("payments.webhook_secrets")
        payments.webhookSecretsFile = reader.optionalString("payments.webhook_secrets_file")
        payments.webhookToleranceSeconds = reader.int("payments.webhook_tolerance_seconds", default: pm.webhookToleranceSeconds, in: 1...86_400)
        payments.timeoutMs = reader.int("payments.timeout_ms", default: pm.timeoutMs, in: 1...600_000)
        payments.outboxPeriodMs = reader.int("payments.outbox_period_ms", default: pm.outboxPeriodMs, in: 10...hour)
        payments.outboxBatchSize = reader.int("payments.outbox_batch_size", default: pm.outboxBatchSize, in: 1...1_000)
        payments.outboxMaxAttempts = reader.int("payments.outbox_max_attempts", default: pm.outboxMaxAttempts, in: 1...1_000)
        payments.outboxBackoffBaseMs = reader.int("payments.outbox_backoff_base_ms", default: pm.outboxBackoffBaseMs, in: 1...hour)
        payments.outboxBackoffMaxMs = reader.int("payments.outbox_backoff_max_ms", default: pm.outboxBackoffMaxMs, in: 1...24 * hour)
        payments.outboxLeaseSeconds = reader.int("payments.outbox_lease_seconds", default: pm.outboxLeaseSeconds, in: 1...86_400)
        payments.intentRecoveryPeriodMs = reader.int("payments.intent_recovery_period_ms", default: pm.intentRecoveryPeriodMs, in: 10...hour)
        payments.intentRecoveryGraceSeconds = reader.int(
            "payments.intent_recovery_grace_seconds", default: pm.intentRecoveryGraceSeconds, in: 1...86_400
        )

        let au = defaults.auth
        auth.jwtKeys = reader.secret("auth.jwt_keys")
        auth.jwtKeysFile = reader.optionalString("auth.jwt_keys_file")
        auth.issuer = reader.string("auth.issuer", default: au.issuer)
        auth.audience = reader.string("auth.audience", default: au.audience)
        auth.clockSkewSeconds = reader.int("auth.clock_skew_seconds", default: au.clockSkewSeconds, in: 0...600)
    }
}
