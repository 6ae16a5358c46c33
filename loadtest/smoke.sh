#!/usr/bin/env bash
# Every scenario in loadtest/scenarios/ as a short smoke run: `gbload run --smoke` (a few
# seconds at a low rate), then settling and every invariant check; then what the run must not
# leave behind: psp-sandbox knobs off their defaults, open test-data deals, deals in the public
# list. Exits non-zero when any scenario fails. CI runs it from scripts/test.sh after the tests.
#
#   loadtest/smoke.sh [SCENARIO ...]     default: every loadtest/scenarios/*.yaml
#
# Runs its own psp-sandbox and groupbuyd (debug build, workers on) against a fresh database
# `groupbuy_smoke` on the private PostgreSQL (started if needed). Reports go to .local/smoke/.
# Settings (environment): SMOKE_PORT (18181), SMOKE_SANDBOX_PORT (18199).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="smoke.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
cd "${GROUPBUY_ROOT}"

if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
    ensure_deps
    service_env="$(scripts/services.sh start)" || die "could not start PostgreSQL and Redis"
    eval "${service_env}"
    export DATABASE_URL REDIS_URL
fi

swift build --product gbload >&2
swift build --product groupbuyd >&2
swift build --product gbctl >&2
swift build --product psp-sandbox >&2
bin="$(swift build --show-bin-path)"

scenarios=("$@")
if [[ ${#scenarios[@]} -eq 0 ]]; then scenarios=(loadtest/scenarios/*.yaml); fi

out=".local/smoke"
mkdir -p "${out}"

# left_behind NAME: what a finished run left changed (nothing, when it put everything back).
left_behind() {
    local changed open public
    changed="$(curl -sf "${PSP_URL}/_sandbox/config/changed")" || changed="(psp-sandbox did not answer)"
    [[ "${changed}" == *'"changed":{}'* ]] || echo "psp-sandbox knobs still changed: ${changed}"
    open="$(psql -X -qAt "${GBLOAD_DATABASE_URL}" -c "SELECT count(*) FROM deals WHERE test_data AND status <> 'closed'")"
    [[ "${open}" == 0 ]] || echo "${open} test-data deals still open"
    public="$(curl -sf "${GBLOAD_URL}/v1/deals?limit=1")" || public="(groupbuyd did not answer)"
    [[ "${public}" == *'"items":[]'* ]] || echo "the public deal list is not empty: ${public:0:200}"
}

trap stop_stack EXIT
failed=()
for scenario in "${scenarios[@]}"; do
    name="$(basename "${scenario}" .yaml)"
    # A fresh service and database per scenario: each one's checks see only its own run.
    STACK_LOG="${out}/${name}-groupbuyd.log" STACK_SANDBOX_LOG="${out}/${name}-psp-sandbox.log" start_stack "${bin}" groupbuy_smoke "${SMOKE_PORT:-18181}" "${SMOKE_SANDBOX_PORT:-18199}"
    log "smoke: ${name}"
    if "${bin}/gbload" run "${scenario}" --smoke --json "${out}/${name}.json" --html "${out}/${name}.html"; then
        leftovers="$(left_behind)"
        if [[ -z "${leftovers}" ]]; then
            log "smoke: ${name} passed"
        else
            warn "smoke: ${name} FAILED: it left behind: ${leftovers}"
            failed+=("${name}")
        fi
    else
        warn "smoke: ${name} FAILED (report: ${out}/${name}.json, service log: ${out}/${name}-groupbuyd.log)"
        failed+=("${name}")
    fi
    stop_stack
done

if [[ ${#failed[@]} -gt 0 ]]; then die "scenarios failed: ${failed[*]}"; fi
log "ok: ${#scenarios[@]} scenarios passed their smoke runs"
