#!/usr/bin/env bash
# PostgreSQL restarted and its sessions killed in a loop while a scenario runs (default: mixed,
# which reads, starts and joins groups, pays, and has groups expire and be refunded by the
# workers). Passes when the service answered nothing but successes, expected refusals and
# 503s (never a 500 or another 5xx, never a transport error), every invariant check of the
# scenario held afterwards (stock, reservations, paid orders, charges, refunds, reconcile),
# and the service log has no "handler failed".
#
#   loadtest/chaos/postgres-restarts.sh [SCENARIO]      default loadtest/scenarios/mixed.yaml
#
# Settings (environment): CHAOS_ROUNDS (6; each round is one of: restart -m fast, restart
# -m immediate, pg_terminate_backend of every session, in turn), CHAOS_PAUSE (1.5 s between
# rounds), CHAOS_DURATION (12s of load), CHAOS_PORT (18500, the sandbox gets +1). Uses the
# private PostgreSQL of scripts/services.sh (started if needed; root runs it as `postgres`).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="chaos"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/stack.sh"
cd "${GROUPBUY_ROOT}"

scenario="${1:-loadtest/scenarios/mixed.yaml}"
rounds="${CHAOS_ROUNDS:-6}"
pause="${CHAOS_PAUSE:-1.5}"
port="${CHAOS_PORT:-18500}"
out=".local/chaos"
mkdir -p "${out}"

ensure_deps
service_env="$(scripts/services.sh start)" || die "could not start PostgreSQL and Redis"
eval "${service_env}"
export DATABASE_URL REDIS_URL
# The cluster's folder, from the server itself (scripts/services.sh may have relocated it).
pg_address="${DATABASE_URL#*@}"
pg_address="${pg_address%%/*}"
pg_data="$(psql -X -At -h "${pg_address%:*}" -p "${pg_address##*:}" -U postgres -d postgres -c 'SHOW data_directory')"
pg_ctl="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -1)/pg_ctl"
as_postgres=()
if [[ "${EUID}" -eq 0 ]]; then as_postgres=(runuser -u postgres --); fi

swift build --product gbload >&2
swift build --product groupbuyd >&2
swift build --product gbctl >&2
swift build --product psp-sandbox >&2
bin="$(swift build --show-bin-path)"

STACK_LOG="${out}/groupbuyd.log" STACK_SANDBOX_LOG="${out}/psp-sandbox.log" STACK_ENV="GROUPBUY_LOG_LEVEL=info" \
    start_stack "${bin}" groupbuy_chaos "${port}" "$((port + 1))"
trap stop_stack EXIT

faults() {
    local round
    for round in $(seq 1 "${rounds}"); do
        sleep "${pause}"
        case $((round % 3)) in
            1) "${as_postgres[@]}" "${pg_ctl}" -D "${pg_data}" -w -m immediate restart >/dev/null; log "round ${round}: restart -m immediate" ;;
            2) psql -X -q -At "${GBLOAD_DATABASE_URL}" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
               log "round ${round}: every session terminated" ;;
            0) "${as_postgres[@]}" "${pg_ctl}" -D "${pg_data}" -w -m fast restart >/dev/null; log "round ${round}: restart -m fast" ;;
        esac
    done
}
faults &
faults_pid=$!
"${bin}/gbload" run "${scenario}" --duration "${CHAOS_DURATION:-12s}" --quiet --json "${out}/report.json" --html "${out}/report.html" \
    >"${out}/gbload.txt" 2>&1 || true
wait "${faults_pid}"

# The verdict: the scenario's invariant checks (not its error-rate budget, which the
# faults spend on purpose), the statuses, and the service log.
python3 - "${out}/report.json" "${out}/groupbuyd.log" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
failures = []
for check in report["checks"]:
    if not check["passed"] and check["name"] != "error rate":
        failures.append(f"check {check['name']}: {check['detail']}")
statuses = report["overall"]["statuses"]
for status, count in statuses.items():
    if int(status) >= 500 and int(status) != 503:
        failures.append(f"{count} answers with status {status}")
for kind, count in (report["overall"].get("transport_errors") or {}).items():
    failures.append(f"{count} transport errors ({kind})")
handler_failures = sum(1 for line in open(sys.argv[2]) if '"handler failed"' in line)
if handler_failures:
    failures.append(f"{handler_failures} 'handler failed' lines in the service log")
print(f"statuses: {dict(sorted(statuses.items()))}")
for failure in failures:
    print(f"FAIL {failure}")
sys.exit(1 if failures else 0)
PY
log "ok: ${rounds} PostgreSQL faults under ${scenario}: only successes, refusals and 503s; every invariant held"
