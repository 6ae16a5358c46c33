#!/usr/bin/env bash
# Builds the libFuzzer target of the Fuzz/ subpackage, replays every known failing input, then
# fuzzes for a time budget.
#
#   scripts/fuzz.sh [SECONDS]        budget in seconds (default: GROUPBUY_FUZZ_SECONDS or 60)
#
# Settings (environment):
#   GROUPBUY_FUZZ_SECONDS   fuzzing budget when no argument is given, default 60 (0: replay only)
#   GROUPBUY_FUZZ_DIR       the fuzz package, default <repo>/Fuzz
#   GROUPBUY_FUZZ_PRODUCT   its executable product, default HTTPParserFuzzer
#   ASAN_OPTIONS            passed through to AddressSanitizer as usual
#
# Layout of the fuzz package:
#   Fuzz/Package.swift      a SwiftPM package with an executable product whose one file defines
#                           @_cdecl("LLVMFuzzerTestOneInput") public func fuzz(
#                               _ data: UnsafePointer<UInt8>, _ size: Int) -> CInt
#                           and no top-level code / @main (libFuzzer brings main()).
#   Fuzz/FailCases/*        inputs that once crashed: each is replayed first (regression tests)
#   Fuzz/seeds/*            starting inputs, copied into the corpus at every run
#   Fuzz/corpus/            the growing corpus (git-ignored)
# Outside the package, in <state>/fuzz/ (<repo>/.local/fuzz, git-ignored):
#   artifacts/              crash-*, timeout-*, oom-*, leak-* inputs libFuzzer writes; copy a
#                           crash input to Fuzz/FailCases/ when you fix it
#   <product>-replay.log, <product>-fuzz.log   full fuzzer output of the last run
#
# Exit status: 0 when nothing crashed, 1 otherwise, with the path of the crashing input printed.
set -euo pipefail

GROUPBUY_SCRIPT_NAME="fuzz.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SECONDS_BUDGET="${1:-${GROUPBUY_FUZZ_SECONDS:-60}}"
[[ "${SECONDS_BUDGET}" =~ ^[0-9]+$ ]] || die "fuzzing budget must be a number of seconds, got '${SECONDS_BUDGET}'"
FUZZ_DIR="${GROUPBUY_FUZZ_DIR:-${GROUPBUY_ROOT}/Fuzz}"
PRODUCT="${GROUPBUY_FUZZ_PRODUCT:-HTTPParserFuzzer}"

[[ -f "${FUZZ_DIR}/Package.swift" ]] || die "no fuzz package at ${FUZZ_DIR} (expected ${FUZZ_DIR}/Package.swift)"
FUZZ_DIR="$(cd "${FUZZ_DIR}" && pwd -P)"

# Per-input limits: an input that runs longer than 5 s or takes more than 2 GiB is a failure.
LIMITS=(-timeout=5 -rss_limit_mb=2048)

# How the fuzzer is built, and why these flags:
#
# `swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library` does NOT link.
# SwiftPM (since tools 5.5) compiles every executable target with
# `-entry-point-function-name <Module>_main` and links it with `--defsym main=<Module>_main`, so
# that test targets can link executables. A fuzzer has no entry point of its own (libFuzzer
# provides main()), so <Module>_main does not exist and ld fails with
# "undefined symbol 'HTTPParserFuzzer_main'"; forcing it would also hide libFuzzer's main().
# SwiftPM's own `--sanitize fuzzer` switch turns exactly that renaming off and passes
# -sanitize=fuzzer to both the compiler and the link, so we use `--sanitize fuzzer --sanitize
# address` instead of raw -Xswiftc flags. -parse-as-library stays: it lets the fuzzer's single
# file be named main.swift without Swift generating a main() that would clash with libFuzzer's.
# (Checked with Swift 6.3.1 on Debian 12; the ld.gold warning "Cannot export local symbol
# '__asan_extra_spill_area'" printed at link time is harmless.)
# SwiftPM hands the two sanitizers to swiftc as separate -sanitize= options in varying order
# and the driver keeps only the last one for compiling, so Fuzz/Package.swift repeats
# -sanitize=fuzzer,address (and the coverage flags) itself: see the comment there.
BUILD_FLAGS=(
    -c release
    --package-path "${FUZZ_DIR}"
    --product "${PRODUCT}"
    --sanitize fuzzer
    --sanitize address
    -Xswiftc -parse-as-library
)

# The Swift runtime's crash backtracer (swift-backtrace) hangs when it meets libFuzzer's and
# ASan's own crash handling, which would turn every crash into a stuck job; libFuzzer and ASan
# print their own stack traces.
export SWIFT_BACKTRACE=enable=no

LOG_DIR="${GROUPBUY_STATE_DIR:-${GROUPBUY_ROOT}/.local}/fuzz"
ARTIFACTS_DIR="${LOG_DIR}/artifacts"
mkdir -p "${LOG_DIR}" "${ARTIFACTS_DIR}" "${FUZZ_DIR}/corpus"
REPLAY_LOG="${LOG_DIR}/${PRODUCT}-replay.log"
FUZZ_LOG="${LOG_DIR}/${PRODUCT}-fuzz.log"

started="$(now_seconds)"

log "building ${PRODUCT} (release, libFuzzer + AddressSanitizer) in ${FUZZ_DIR}"
swift build "${BUILD_FLAGS[@]}"
BIN_DIR="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)"
FUZZER="${BIN_DIR}/${PRODUCT}"
[[ -x "${FUZZER}" ]] || die "build succeeded but ${FUZZER} is missing"

# Prints the path libFuzzer wrote the failing input to, or the input it was running, from a log.
report_failure() {
    local logfile="$1" what="$2" written running
    printf -- '--- last lines of %s ---\n' "${logfile}" >&2
    tail -n 60 "${logfile}" >&2 || true
    printf -- '---\n' >&2
    written="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "${logfile}" | tail -n 1)"
    running="$(sed -n 's/^Running: \(.*\)$/\1/p' "${logfile}" | tail -n 1)"
    if [[ -n "${written}" ]]; then
        log "CRASH (${what}): input written to ${written}"
    fi
    if [[ -n "${running}" ]]; then
        log "CRASH (${what}): failing input ${running}"
    fi
    if [[ -z "${written}" && -z "${running}" ]]; then
        log "CRASH (${what}): no input path in the log; see ${logfile}"
    fi
}

# 1. Regression: every file in Fuzz/FailCases is run once. libFuzzer runs each path given on
#    its command line once ("Running: <path>" before each) and stops at the first failure.
fail_cases=()
if [[ -d "${FUZZ_DIR}/FailCases" ]]; then
    while IFS= read -r -d '' f; do
        fail_cases+=("${f}")
    done < <(find "${FUZZ_DIR}/FailCases" -type f ! -name '.*' ! -name 'README*' -print0 | sort -z)
fi
if [[ "${#fail_cases[@]}" -gt 0 ]]; then
    log "replaying ${#fail_cases[@]} input(s) from ${FUZZ_DIR}/FailCases"
    if ! "${FUZZER}" "${LIMITS[@]}" "${fail_cases[@]}" >"${REPLAY_LOG}" 2>&1; then
        report_failure "${REPLAY_LOG}" "FailCases replay"
        die "a FailCases input still fails"
    fi
else
    log "no inputs in ${FUZZ_DIR}/FailCases to replay"
fi

# 2. Fuzzing for the budget over the corpus, seeded from Fuzz/seeds.
runs="0"
if [[ "${SECONDS_BUDGET}" -gt 0 ]]; then
    if [[ -d "${FUZZ_DIR}/seeds" ]]; then
        find "${FUZZ_DIR}/seeds" -type f ! -name '.*' -exec cp -n -t "${FUZZ_DIR}/corpus" {} +
    fi
    log "fuzzing ${PRODUCT} for ${SECONDS_BUDGET}s (corpus ${FUZZ_DIR}/corpus, log ${FUZZ_LOG})"
    # The outer timeout only guards against a fuzzer that ignores its own limits.
    if ! timeout -k 10 "$((SECONDS_BUDGET + 300))" \
        "${FUZZER}" "${LIMITS[@]}" \
        -max_total_time="${SECONDS_BUDGET}" \
        -print_final_stats=1 \
        -artifact_prefix="${ARTIFACTS_DIR}/" \
        "${FUZZ_DIR}/corpus" >"${FUZZ_LOG}" 2>&1; then
        report_failure "${FUZZ_LOG}" "fuzzing"
        die "fuzzing found a failure"
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "${FUZZ_LOG}" | tail -n 1)"
fi

corpus_size="$(find "${FUZZ_DIR}/corpus" -type f | wc -l)"
elapsed="$(( $(now_seconds) - started ))"
log "ok: ${PRODUCT}: ${#fail_cases[@]} FailCases replayed, fuzzed ${SECONDS_BUDGET}s (${runs:-0} runs), corpus ${corpus_size} inputs, $(format_duration "${elapsed}") total"
