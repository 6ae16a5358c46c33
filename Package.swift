// swift-tools-version: 6.2
import PackageDescription

/// Settings every GroupBuy target shares: Swift 6 mode, warnings are errors, and the
/// upcoming features that make `internal import` the default discipline.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Hot-path modules. In release builds the dynamic exclusivity checks are off: they cost
/// ~7% of a /json request (swift_beginAccess/endAccess and a TLS lookup on every access to a
/// class's stored property, measured with perf; see loadtest/peers/README.md). Debug builds,
/// and so the tests, keep them.
let hotPath: [SwiftSetting] = strict + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "groupbuy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "groupbuyd", targets: ["groupbuyd"]),
        .executable(name: "gbctl", targets: ["gbctl"]),
        .library(name: "HTTPCodec", targets: ["HTTPCodec"]),
        .library(name: "IOCore", targets: ["IOCore"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C: a shim for what Swift cannot see in glibc, and one system-library target per C library.
        .target(name: "CLinux"),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // No pkgConfig: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM refuses from pkg-config
        // (a "prohibited flag(s)" warning on every build). The shim includes <hiredis/…> from
        // /usr/include, so no flag is needed (and the define changes nothing on 64-bit Linux).
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CNghttp2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Event loops, sockets, timers, buffers.
        .target(name: "IOCore", dependencies: ["CLinux"], swiftSettings: hotPath),
        // Logs and per-loop metrics that never block a loop thread.
        .target(
            name: "Observability",
            dependencies: ["IOCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: hotPath
        ),
        // HTTP wire formats without any I/O.
        .target(name: "HTTPCodec", swiftSettings: hotPath),
        // libpq driven by the event loops: connections, statements, (later) pool and migrator.
        .target(
            name: "Postgres",
            dependencies: ["CPostgres", "IOCore"],
            swiftSettings: strict
        ),
        // "Did you mean" for misspelt names (settings, gbctl commands, scenario files). No dependencies.
        .target(name: "Suggestions", swiftSettings: strict),
        // Value types shared by the business modules: time stamps, cursors, field problems. No dependencies.
        .target(name: "Domain", swiftSettings: strict),
        // Idempotency-Keys of creating requests: claim, replay, refusal; one helper for every module.
        .target(name: "Idempotency", dependencies: ["Domain", "Postgres"], swiftSettings: strict),
        // Deals, their stock slots, the audit of admin changes and the read-through deal cache: rules and SQL, no HTTP.
        .target(name: "Catalog", dependencies: ["Domain", "Idempotency", "Postgres", "Redis", "IOCore"], swiftSettings: strict),
        // Stock reservation strategies and the stock invariant check.
        .target(name: "Inventory", dependencies: ["Postgres"], swiftSettings: strict),
        // Groups and orders: placing, cancelling, expiring, failing and confirming (SQL functions
        // in migrations/functions/orders.sql), the background sweeps. No HTTP.
        .target(name: "Orders", dependencies: ["Domain", "Idempotency", "Inventory", "Postgres", "IOCore"], swiftSettings: strict),
        // Paying for orders through a provider (PSPClient), applying its signed webhooks once,
        // the outbox of refunds, reconciliation with the provider's records.
        .target(name: "Payments", dependencies: ["Domain", "Orders", "Postgres", "PSPClient", "PSPWire", "IOCore"], swiftSettings: strict),
        // The only importer of COpenSSL: HMAC, SHA-256, constant-time compare, randomness.
        .target(name: "OpenSSL", dependencies: ["COpenSSL"], swiftSettings: strict),
        // A strict JSON reader on bytes for what clients send (no duplicate names, no NUL, limits),
        // the one JSON value type (objects keep their member order) and a formatted writer.
        .target(name: "StrictJSON", swiftSettings: strict),
        // HS256 JWTs: key ring with rotation, issuing, verifying. No HTTP types.
        .target(name: "Auth", dependencies: ["OpenSSL", "StrictJSON"], swiftSettings: strict),
        // hiredis' async API on the event loops: pipelined connections, timeouts, a per-loop
        // client with reconnects and a circuit breaker.
        .target(
            name: "Redis",
            dependencies: ["CHiredis", "IOCore"],
            swiftSettings: strict
        ),
        // Listeners, connections, request/response, router, middleware.
        .target(
            name: "HTTPServer",
            dependencies: [
                "IOCore", "HTTPCodec", "Observability", "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: hotPath
        ),
        // Thin REST handlers over the business façades: JSON in and out, problem+json, bearer JWT.
        .target(
            name: "API",
            dependencies: ["HTTPServer", "HTTPCodec", "Domain", "Catalog", "Idempotency", "Inventory", "Orders", "Payments", "PSPWire", "OpenSSL", "Postgres", "Auth", "StrictJSON"],
            swiftSettings: strict
        ),
        // Composition root: settings, logging, metrics, routes.
        .target(
            name: "App",
            dependencies: [
                "HTTPServer", "IOCore", "Observability", "CLinux", "Postgres", "Redis", "Catalog", "Idempotency", "Inventory", "Orders", "Payments", "PSPClient", "HTTPClient", "API", "Auth",
                "Suggestions", .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "groupbuyd",
            dependencies: ["App", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // The admin command line.
        .executableTarget(
            name: "gbctl",
            dependencies: [
                "Auth", "Postgres", "HTTPClient", "HTTPCodec", "IOCore", "Suggestions", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Helpers for tests only: child processes spawned safely (close-on-exec pipes, closefrom).
        .target(name: "GroupBuyTesting", dependencies: ["CLinux", "HTTPClient", "HTTPCodec", "IOCore"], path: "Sources/GroupBuyTesting", swiftSettings: strict),

        .testTarget(
            name: "CLibrariesTests",
            dependencies: ["CPostgres", "CHiredis", "CNghttp2", "COpenSSL"],
            swiftSettings: strict
        ),
        .testTarget(name: "IOCoreTests", dependencies: ["IOCore", "CLinux"], swiftSettings: strict),
        .testTarget(name: "HTTPCodecTests", dependencies: ["HTTPCodec"], swiftSettings: strict),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability", "IOCore", "CLinux", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "IOCore", "HTTPCodec", "Observability", "CLinux", "GroupBuyTesting"],
            swiftSettings: strict
        ),
        .testTarget(name: "OpenSSLTests", dependencies: ["OpenSSL"], swiftSettings: strict),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "OpenSSL"], swiftSettings: strict),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON", "IOCore"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "IOCore", "GroupBuyTesting"], swiftSettings: strict),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "IOCore", "GroupBuyTesting"], swiftSettings: strict),
        .testTarget(
            name: "APITests",
            dependencies: ["API", "Auth", "Catalog", "GroupBuyTesting", "Idempotency", "Inventory", "Orders", "Payments", "PSPClient", "PSPWire", "HTTPClient", "psp-sandbox", "CLinux", "HTTPServer", "IOCore", "Postgres", "Redis", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: strict),
        .testTarget(name: "SuggestionsTests", dependencies: ["Suggestions"], swiftSettings: strict),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "Domain", "Postgres", "IOCore"], swiftSettings: strict),
        // Tests of the business SQL functions (migrations/functions/): a migrated scratch database per test, fixtures.
        .target(
            name: "SQLTesting", dependencies: ["Postgres", "IOCore", "GroupBuyTesting"], path: "Sources/SQLTesting",
            swiftSettings: strict
        ),
        .testTarget(name: "InventoryTests", dependencies: ["SQLTesting", "Postgres", "IOCore"], swiftSettings: strict),
        .testTarget(name: "OrdersTests", dependencies: ["SQLTesting", "Postgres", "IOCore"], swiftSettings: strict),
        .testTarget(name: "PaymentsTests", dependencies: ["SQLTesting", "Postgres", "IOCore"], swiftSettings: strict),
        .testTarget(
            name: "AppTests",
            dependencies: ["App", "Auth", "GroupBuyTesting", "HTTPServer", "HTTPCodec", "IOCore", "Observability", "PSPSandbox", "groupbuyd", "gbctl"],
            swiftSettings: strict
        ),
    ]
)

// MARK: - HTTP client and the payment provider sandbox (branch psp)

package.products += [
    .executable(name: "psp-sandbox", targets: ["psp-sandbox"]),
    .library(name: "HTTPClient", targets: ["HTTPClient"]),
]

package.targets += [
    // Client connections on the event loops: keep-alive pools per loop, timeouts on the timer wheel.
    .target(name: "HTTPClient", dependencies: ["IOCore", "HTTPCodec"], swiftSettings: hotPath),
    // The payment provider's wire contract: webhook signatures and the JSON shapes. No I/O.
    .target(name: "PSPWire", dependencies: ["OpenSSL"], swiftSettings: strict),
    // Calls to the payment provider's API over HTTPClient, with typed failures.
    .target(name: "PSPClient", dependencies: ["PSPWire", "HTTPClient", "HTTPCodec", "IOCore"], swiftSettings: strict),
    // The stand-in provider: API, in-memory state, signed webhook deliveries, misbehaviour knobs.
    .target(
        name: "PSPSandbox",
        dependencies: ["PSPWire", "HTTPServer", "HTTPClient", "HTTPCodec", "IOCore", "OpenSSL"],
        swiftSettings: strict
    ),
    .executableTarget(
        name: "psp-sandbox",
        dependencies: [
            "PSPSandbox", "HTTPServer", "IOCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        swiftSettings: strict
    ),

    .testTarget(
        name: "HTTPClientTests",
        dependencies: ["HTTPClient", "HTTPServer", "HTTPCodec", "IOCore", "GroupBuyTesting", .product(name: "Logging", package: "swift-log")],
        swiftSettings: strict
    ),
    .testTarget(name: "PSPWireTests", dependencies: ["PSPWire", "OpenSSL"], swiftSettings: strict),
    .testTarget(
        name: "PSPSandboxTests",
        dependencies: [
            "PSPSandbox", "PSPClient", "PSPWire", "HTTPClient", "HTTPServer", "HTTPCodec", "IOCore", "GroupBuyTesting", "psp-sandbox",
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: strict
    ),
]

// MARK: - gbload: the load generator and its scenarios

package.products += [
    .executable(name: "gbload", targets: ["gbload"]),
]

package.targets += [
    // Load generation on our event loops: open/closed-loop drivers, HTTP/1.1 load connections,
    // HDR histograms, scenario files, setup through the admin API, invariant checks, reports.
    .target(
        name: "LoadGen",
        dependencies: [
            "IOCore", "HTTPCodec", "HTTPClient", "Postgres", "Inventory", "CLinux", "Suggestions", "StrictJSON",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "Yams", package: "Yams"),
        ],
        swiftSettings: hotPath
    ),
    .executableTarget(
        name: "gbload",
        dependencies: [
            "LoadGen", "IOCore", "HTTPClient", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ],
        swiftSettings: strict
    ),
    .testTarget(
        name: "LoadGenTests",
        dependencies: [
            "LoadGen", "gbload", "HTTPServer", "HTTPCodec", "HTTPClient", "IOCore", "Postgres", "GroupBuyTesting", "PSPSandbox",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "Logging", package: "swift-log"),
        ],
        // The JSON reports the report tests compare with, read by path.
        exclude: ["Golden"],
        swiftSettings: strict
    ),
]
