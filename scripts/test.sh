#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is missing, starts a
# private PostgreSQL and Redis (scripts/services.sh), builds, runs every test, runs
# every load-test scenario as a short smoke run (loadtest/smoke.sh), PostgreSQL restarts under
# load (loadtest/chaos/postgres-restarts.sh), the HTTP parser, response decoder and JSON reader fuzzers for a
# bounded time (shared), and stops the services again.
#
#   scripts/test.sh                 everything (fuzzing: GROUPBUY_FUZZ_SECONDS, default 60)
#   scripts/test.sh --filter NAME   only tests matching NAME (passed to `swift test`), no fuzzing
#
# Settings (environment): GROUPBUY_FUZZ_SECONDS (0 skips fuzzing), GROUPBUY_SKIP_DEPS=1,
# GROUPBUY_KEEP_SERVICES=1 (leave PostgreSQL/Redis running afterwards), and those of
# scripts/services.sh (ports, state folder).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="test.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "${GROUPBUY_ROOT}"

started="$(now_seconds)"
ensure_deps

# Every step's output also goes to a log here, so that a failed run can end with the list of
# what failed and why (a CI log is thousands of lines).
logs=".local/test-logs"
mkdir -p "${logs}"
rm -f "${logs}"/*.log

logged() {
    local name="$1"
    shift
    "$@" 2>&1 | tee "${logs}/${name}.log"
}

# The first failing expectation of each failed test, each failed scenario, each crash.
summarize_failures() {
    local status=$?
    if [[ "${status}" -ne 0 ]]; then
        {
            printf '\n==== FAILED (exit %s) ====\n' "${status}"
            grep -h -E '^/.*: error: ' "${logs}/build.log" 2>/dev/null | sort -u | head -20 || true
            # Swift Testing: "✘ Test NAME recorded an issue at FILE:LINE: WHAT"; first per test.
            grep -h -E '^✘ Test .* recorded an issue' "${logs}"/*.log 2>/dev/null \
                | awk '{ name = $3; if (!(name in seen)) { seen[name] = 1; print } }' || true
            grep -h -E '^✘ Test .* failed after|error: Exited with|Fatal error|smoke: .* FAILED|^FAIL |==[0-9]+==ERROR|deadly signal' \
                "${logs}"/*.log 2>/dev/null | grep -v 'recorded an issue' | sort -u || true
            printf 'full logs: %s/\n' "${logs}"
        } >&2
    fi
    stop_services_unless_kept
    return "${status}"
}
trap summarize_failures EXIT

# Checked apart from eval: `eval "$(…)"` would run an empty string, and succeed, when start fails.
service_env="$(scripts/services.sh start)" || die "could not start PostgreSQL and Redis (see above)"
eval "${service_env}"
export DATABASE_URL GROUPBUY_TEST_DATABASE_URL REDIS_URL

# One build job per core leaves nothing for the database on this 2-core machine; the test
# run itself is parallel (Swift Testing) and needs the cores.
log "building (debug, with tests)"
# A target that imports a module it does not declare (directly or through a dependency) fails
# the build instead of building by luck of the build order.
logged build swift build --build-tests --explicit-target-dependency-import-check error

log "running the tests"
if [[ $# -gt 0 ]]; then
    logged filtered swift test --skip-build "$@"
    log "ok: filtered tests passed in $(format_duration "$(( $(now_seconds) - started ))")"
    exit 0
fi
# The suites that run whole groupbuyd processes and hundreds of curl buyers, or restart and
# kill PostgreSQL and Redis clusters of their own, load both cores; they run apart so that the
# timing-bounded waits of the others are not starved.
heavy="CrashAndScaleOutTests|ConcurrentBuyersTests|ResilienceTests|HealthTests|CacheInvalidationOutageTests"
logged tests swift test --skip-build --skip "${heavy}"
log "running the process-heavy suites on their own"
logged heavy-tests swift test --skip-build --filter "${heavy}"

log "running every load-test scenario as a short smoke (gbload, with its invariant checks)"
logged smoke loadtest/smoke.sh

log "restarting PostgreSQL under load (loadtest/chaos/postgres-restarts.sh): no 500, every invariant held"
logged chaos loadtest/chaos/postgres-restarts.sh

logged fuzz scripts/fuzz.sh "${GROUPBUY_FUZZ_SECONDS:-60}"

log "ok: all tests passed, fuzzing clean, in $(format_duration "$(( $(now_seconds) - started ))")"
