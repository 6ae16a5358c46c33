// swift-tools-version: 6.2
import PackageDescription

// libFuzzer targets for the HTTP/1.1 request parser, the response decoder and the strict JSON reader. Build and run
// them with `scripts/fuzz.sh` (see README.md); a plain `swift build` of this package does not
// link, because a fuzzer has no main() of its own: libFuzzer provides it once `--sanitize fuzzer`
// is passed.
//
// A separate package on purpose: it compiles only the HTTPCodec and StrictJSON sources, which
// have no dependencies, instead of depending on the root package (and all of its dependencies).
// Sources/HTTPCodec and Sources/StrictJSON are relative symlinks to ../../Sources/<module>: the
// same files, not a copy.

/// The settings the root package gives HTTPCodec, so the fuzzed code is compiled the same way.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Sanitizers and coverage, asked for again here. `scripts/fuzz.sh` builds with
/// `--sanitize fuzzer --sanitize address`. SwiftPM keeps the sanitizers in a Set and hands them
/// to swiftc as two options, `-sanitize=fuzzer -sanitize=address`, in an order that changes from
/// run to run. swift-driver (Swift 6.3.1) forwards only the *last* `-sanitize=` option to the
/// compile jobs (the link job sees both), and the frontend keeps only the last one as well.
/// Without the flags below, the code is compiled with either AddressSanitizer but no
/// SanitizerCoverage (libFuzzer runs blind: "no interesting inputs were found so far. Is the code
/// instrumented for coverage?"), or coverage but no AddressSanitizer (memory errors go unseen).
/// Which one you get depends on the run.
///
/// - `-sanitize=fuzzer,address`: one option carrying both. Target settings come after SwiftPM's
///   own flags on the command line, so this is the last `-sanitize=`, the one the driver uses.
/// - `-sanitize-coverage=...`: the coverage kinds `-sanitize=fuzzer` turns on, spelled out so
///   that coverage does not depend on the order of the options either.
/// - `-disable-incremental-llvm-codegen`: with whole-module optimisation the frontend keeps an
///   existing object file when its IR *before* the LLVM passes is unchanged. Sanitizers and
///   coverage are LLVM passes, so after a change of these flags an old object built with other
///   sanitizers would silently be linked in. The module is small; always generating code is cheap.
///
/// These need the sanitizer runtimes at link time, so this package builds only with
/// `--sanitize fuzzer --sanitize address`, as the script does.
let fuzzerInstrumentation: [SwiftSetting] = [
    .unsafeFlags([
        "-sanitize=fuzzer,address",
        "-sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table",
        "-Xfrontend", "-disable-incremental-llvm-codegen",
    ]),
]

let package = Package(
    name: "groupbuy-fuzz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "HTTPParserFuzzer", targets: ["HTTPParserFuzzer"]),
        .executable(name: "JSONReaderFuzzer", targets: ["JSONReaderFuzzer"]),
        .executable(name: "HTTPResponseFuzzer", targets: ["HTTPResponseFuzzer"]),
    ],
    targets: [
        .target(name: "HTTPCodec", path: "Sources/HTTPCodec", swiftSettings: strict + fuzzerInstrumentation),
        .executableTarget(name: "HTTPParserFuzzer", dependencies: ["HTTPCodec"], swiftSettings: strict + fuzzerInstrumentation),
        .executableTarget(name: "HTTPResponseFuzzer", dependencies: ["HTTPCodec"], swiftSettings: strict + fuzzerInstrumentation),
        .target(name: "StrictJSON", path: "Sources/StrictJSON", swiftSettings: strict + fuzzerInstrumentation),
        // FoundationJSON.swift links to Tests/StrictJSONTests/Support: the tests' Foundation oracle.
        .executableTarget(name: "JSONReaderFuzzer", dependencies: ["StrictJSON"], swiftSettings: strict + fuzzerInstrumentation),
    ]
)
