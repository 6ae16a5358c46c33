#!/usr/bin/env bash
# Builds the libFuzzer targets of the Fuzz/ subpackage, replays every known failing input, then
# fuzzes each target for its share of one time budget.
#
#   scripts/fuzz.sh [SECONDS]        budget in seconds for all targets together
#                                    (default: GROUPBUY_FUZZ_SECONDS or 60)
#
# Settings (environment):
#   GROUPBUY_FUZZ_SECONDS   fuzzing budget when no argument is given, default 60 (0: replay only)
#   GROUPBUY_FUZZ_DIR       the fuzz package, default <repo>/Fuzz
#   GROUPBUY_FUZZ_PRODUCTS  its executable products, space-separated, default
#                           "HTTPParserFuzzer HTTPResponseFuzzer JSONReaderFuzzer"; the budget is split evenly
#                           (GROUPBUY_FUZZ_PRODUCT, one product, is still understood)
#   ASAN_OPTIONS            passed through to AddressSanitizer as usual
#
# Layout of the fuzz package:
#   Fuzz/Package.swift      a SwiftPM package with one executable product per target, whose one
#                           file defines
#                           @_cdecl("LLVMFuzzerTestOneInput") public func fuzz(
#                               _ data: UnsafePointer<UInt8>, _ size: Int) -> CInt
#                           and no top-level code / @main (libFuzzer brings main()).
#   Fuzz/FailCases/<product>/*  inputs that once crashed: each is replayed first (regression tests)
#   Fuzz/seeds/<product>/*      starting inputs, copied into the corpus at every run
#   Fuzz/corpus/<product>/      the growing corpus (git-ignored)
# Outside the package, in <state>/fuzz/ (<repo>/.local/fuzz, git-ignored):
#   artifacts/              crash-*, timeout-*, oom-*, leak-* inputs libFuzzer writes; copy a
#                           crash input to Fuzz/FailCases/<product>/ when you fix it
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
read -r -a PRODUCTS <<<"${GROUPBUY_FUZZ_PRODUCTS:-${GROUPBUY_FUZZ_PRODUCT:-HTTPParserFuzzer HTTPResponseFuzzer JSONReaderFuzzer}}"
[[ "${#PRODUCTS[@]}" -gt 0 ]] || die "GROUPBUY_FUZZ_PRODUCTS names no product"

[[ -f "${FUZZ_DIR}/Package.swift" ]] || die "no fuzz package at ${FUZZ_DIR} (expected ${FUZZ_DIR}/Package.swift)"
FUZZ_DIR="$(cd "${FUZZ_DIR}" && pwd -P)"

# Per-input limits: an input that runs longer than 5 s or takes more than 2 GiB is a failure.
LIMITS=(-timeout=5 -rss_limit_mb=2048)

# How the fuzzers are built, and why these flags:
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
mkdir -p "${LOG_DIR}" "${ARTIFACTS_DIR}"

started="$(now_seconds)"

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

# Builds one product; prints the fuzzer's path.
build_fuzzer() {
    local product="$1" bin_dir
    log "building ${product} (release, libFuzzer + AddressSanitizer) in ${FUZZ_DIR}"
    swift build "${BUILD_FLAGS[@]}" --product "${product}" >&2
    bin_dir="$(swift build "${BUILD_FLAGS[@]}" --product "${product}" --show-bin-path)"
    [[ -x "${bin_dir}/${product}" ]] || die "build succeeded but ${bin_dir}/${product} is missing"
    printf '%s\n' "${bin_dir}/${product}"
}

# 1. Regression: every file in Fuzz/FailCases/<product> is run once. libFuzzer runs each path
#    given on its command line once ("Running: <path>" before each) and stops at the first failure.
replay_fail_cases() {
    local product="$1" fuzzer="$2" replay_log="${LOG_DIR}/$1-replay.log" fail_cases=() f
    if [[ -d "${FUZZ_DIR}/FailCases/${product}" ]]; then
        while IFS= read -r -d '' f; do
            fail_cases+=("${f}")
        done < <(find "${FUZZ_DIR}/FailCases/${product}" -type f ! -name '.*' ! -name 'README*' -print0 | sort -z)
    fi
    if [[ "${#fail_cases[@]}" -gt 0 ]]; then
        log "${product}: replaying ${#fail_cases[@]} input(s) from ${FUZZ_DIR}/FailCases/${product}"
        if ! "${fuzzer}" "${LIMITS[@]}" "${fail_cases[@]}" >"${replay_log}" 2>&1; then
            report_failure "${replay_log}" "${product} FailCases replay"
            die "a FailCases input of ${product} still fails"
        fi
    else
        log "${product}: no inputs in ${FUZZ_DIR}/FailCases/${product} to replay"
    fi
    REPLAYED=$((REPLAYED + ${#fail_cases[@]}))
}

# 2. Fuzzing for a share of the budget over the product's corpus, seeded from Fuzz/seeds/<product>.
fuzz_for() {
    local product="$1" fuzzer="$2" seconds="$3" corpus="${FUZZ_DIR}/corpus/$1" fuzz_log="${LOG_DIR}/$1-fuzz.log" runs
    mkdir -p "${corpus}"
    if [[ -d "${FUZZ_DIR}/seeds/${product}" ]]; then
        find "${FUZZ_DIR}/seeds/${product}" -type f ! -name '.*' -exec cp -n -t "${corpus}" {} +
    fi
    log "fuzzing ${product} for ${seconds}s (corpus ${corpus}, log ${fuzz_log})"
    # The outer timeout only guards against a fuzzer that ignores its own limits.
    if ! timeout -k 10 "$((seconds + 300))" \
        "${fuzzer}" "${LIMITS[@]}" \
        -max_total_time="${seconds}" \
        -print_final_stats=1 \
        -artifact_prefix="${ARTIFACTS_DIR}/" \
        "${corpus}" >"${fuzz_log}" 2>&1; then
        report_failure "${fuzz_log}" "fuzzing ${product}"
        die "fuzzing ${product} found a failure"
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "${fuzz_log}" | tail -n 1)"
    SUMMARY+=("${product}: ${seconds}s, ${runs:-0} runs, corpus $(find "${corpus}" -type f | wc -l) inputs")
}

FUZZERS=()
for product in "${PRODUCTS[@]}"; do
    FUZZERS+=("$(build_fuzzer "${product}")")
done

REPLAYED=0
for index in "${!PRODUCTS[@]}"; do
    replay_fail_cases "${PRODUCTS[index]}" "${FUZZERS[index]}"
done

# One budget for all: each target gets an even share (the first any remainder).
SUMMARY=()
if [[ "${SECONDS_BUDGET}" -gt 0 ]]; then
    share=$((SECONDS_BUDGET / ${#PRODUCTS[@]}))
    for index in "${!PRODUCTS[@]}"; do
        seconds="${share}"
        [[ "${index}" -eq 0 ]] && seconds=$((share + SECONDS_BUDGET % ${#PRODUCTS[@]}))
        [[ "${seconds}" -gt 0 ]] && fuzz_for "${PRODUCTS[index]}" "${FUZZERS[index]}" "${seconds}"
    done
fi

elapsed="$(( $(now_seconds) - started ))"
details=""
for line in "${SUMMARY[@]}"; do details+="${details:+; }${line}"; done
log "ok: ${REPLAYED} FailCases replayed; fuzzed ${SECONDS_BUDGET}s${details:+ (${details})}, $(format_duration "${elapsed}") total"
