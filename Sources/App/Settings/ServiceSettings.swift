/// Settings of the data layer, the cache and authentication (see config/groupbuy.yaml).
public struct DatabaseSettings: Sendable {
    /// libpq URL or key=value string; by default the private database of scripts/services.sh.
    /// `GROUPBUY_DATABASE_URL`, then `DATABASE_URL`, override the file.
    public var url = "postgresql://groupbuy@127.0.0.1:54329/groupbuy"
    /// A file whose first line is the password (for secrets mounted as files); else libpq's
    /// own sources apply (the URL, PGPASSWORD, ~/.pgpass).
    public var passwordFile = ""
    public var poolMin = 1
    public var poolMax = 8
    public var poolMaxWaiters = 64
    public var acquireTimeoutMs = 1_000
    public var idleTimeoutMs = 60_000
    public var maxLifetimeMs = 1_800_000
    public var healthCheckAfterIdleMs = 10_000
    public var statementTimeoutMs = 5_000
    /// Apply pending migrations at start instead of refusing to start.
    public var migrateOnStart = false
    public var migrationsDirectory = "migrations"
}

public struct RedisSettings: Sendable {
    /// `redis://host:port[/db]`; empty turns the cache off (reads go to PostgreSQL).
    /// `GROUPBUY_REDIS_URL`, then `REDIS_URL`, override the file.
    public var url = "redis://127.0.0.1:63799"
    public var connectTimeoutMs = 500
    public var commandTimeoutMs = 200
    /// Consecutive failures that open the circuit breaker.
    public var breakerFailures = 5
    /// How long an open breaker refuses calls before one probe is let through.
    public var breakerOpenMs = 2_000
}

public struct CatalogSettings: Sendable {
    public var cacheTTLSeconds = 30
    public var cacheMissingTTLSeconds = 5
    /// Life of a deal in the per-loop in-process cache in front of Redis (0: off). Bounds how
    /// long another instance's change can go unseen here.
    public var nearCacheTTLMs = 1_000
    /// Stock rows per new deal (see docs: more slots, less lock contention on a hot deal).
    public var slotsPerDeal = 8
}

public struct AuthSettings: Sendable {
    /// `kid:secret` pairs separated by commas; the first signs, all verify (rotation).
    public var jwtKeys = ""
    /// A file with the same content as `jwt_keys` (for secrets mounted as files).
    public var jwtKeysFile = ""
    public var issuer = "groupbuy"
    public var audience = "groupbuy-api"
    public var clockSkewSeconds = 30
}

/// Settings of groups, orders and stock (see config/groupbuy.yaml).
public struct OrderSettings: Sendable {
    /// `slots` (SKIP LOCKED over several rows per deal) or `single_row` (the baseline; needs
    /// catalog.slots_per_deal = 1).
    public var inventoryStrategy = "slots"
    /// How long a buyer has to pay after joining (never past the group's time limit).
    public var paymentWindowSeconds = 900
    /// How long an Idempotency-Key and its first answer are kept.
    public var idempotencyTTLSeconds = 86_400
}

/// The background workers every instance runs (claims use SKIP LOCKED: instances share the work).
public struct WorkerSettings: Sendable {
    public var enabled = true
    public var expireOrdersPeriodMs = 1_000
    public var failGroupsPeriodMs = 1_000
    public var confirmGroupsPeriodMs = 5_000
    public var purgeIdempotencyKeysPeriodMs = 60_000
    /// Items per transaction; a full batch is followed by the next one at once.
    public var batchSize = 100
}

/// The card provider (a Stripe-like API such as psp-sandbox's) and the outbox of calls to it.
public struct PaymentSettings: Sendable {
    /// host:port of the provider's API (numeric or localhost); empty turns payments off.
    public var providerAddress = ""
    public var apiKey = ""
    /// A file whose first line is the API key.
    public var apiKeyFile = ""
    /// Secrets webhooks may be signed with, comma separated (several while rotating).
    public var webhookSecrets = ""
    public var webhookSecretsFile = ""
    /// How old (or how far ahead) a signed webhook may be.
    public var webhookToleranceSeconds = 300
    public var timeoutMs = 5_000
    public var outboxPeriodMs = 500
    public var outboxBatchSize = 20
    public var outboxMaxAttempts = 12
    public var outboxBackoffBaseMs = 500
    public var outboxBackoffMaxMs = 300_000
    public var outboxLeaseSeconds = 60
    /// How often payments left without an intent by a pay call that stopped halfway are finished.
    public var intentRecoveryPeriodMs = 10_000
    /// How long such a payment is left alone first (longer than a pay call takes).
    public var intentRecoveryGraceSeconds = 60
}
